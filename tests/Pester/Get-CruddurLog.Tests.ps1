# Get-CruddurLog against the ECS simulator writing its tasks' output to CloudWatch Logs in moto, as the awslogs driver does.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/logged-service.ps1
    $script:stack = Start-CruddurStack Ecs, Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:suffix = ',Cruddur.PowerShell.Commands.GetCruddurLogCommand'
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Get-CruddurLog' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        Invoke-Aws logs create-log-group --log-group-name cruddur | Out-Null
        $script:work = New-TestFolder
    }

    It 'reads the lines the running task wrote, typed, from the stream the task definition names' {
        New-LoggedService backend-flask $work | Out-Null
        $id = Get-TaskIds backend-flask

        $lines = Wait-Until { $l = @(Get-CruddurLog backend-flask); if ($l.Count -ge 2) { , $l } } 'the start-up lines'

        $lines[0].PSObject.TypeNames[0] | Should -Be 'Cruddur.Core.Logs.LogEvent'
        $lines[0].Message | Should -Match '\[ecs-simulator\] backend-flask started from registry.local/backend-flask:1'
        $lines[1].Message | Should -Match 'Serving on http://0.0.0.0:4567'
        $lines | ForEach-Object { $_.TaskId | Should -Be $id; $_.Container | Should -Be 'backend-flask'; $_.Service | Should -Be 'backend-flask' }
        $lines[0].LogStream | Should -Be "backend-flask/backend-flask/$id"
        ($lines | Format-Table | Out-String) | Should -Match "backend-flask\s+$($id.Substring(0, 8)) \[ecs-simulator\]"
        # Get-CruddurService's objects pipe in.
        @(Get-CruddurService backend-flask | Get-CruddurLog).Count | Should -Be $lines.Count
    }

    It 'includes the one-off tasks Invoke-CruddurTask ran from the service, marked as one-off, and -TaskId still names one task' {
        New-LoggedService backend-flask $work | Out-Null
        $serviceTask = Get-TaskIds backend-flask
        $run = Invoke-CruddurTask backend-flask -Command "sh -c 'echo one-off migration done'" -InformationAction Ignore

        $lines = Wait-Until { $l = @(Get-CruddurLog backend-flask); if ($l.Message -match 'one-off migration done') { , $l } } 'the one-off task''s line'

        $oneOff = @($lines | Where-Object Message -Match 'one-off migration done')
        $oneOff.Count | Should -Be 1
        $oneOff[0].TaskId | Should -Be $run.TaskId
        $oneOff[0].OneOff | Should -BeTrue
        $oneOff[0].Service | Should -Be 'backend-flask'
        $oneOff[0].LogStream | Should -Be "backend-flask/backend-flask/$($run.TaskId)"
        ($lines | Where-Object TaskId -EQ $serviceTask).OneOff | Should -Not -Contain $true
        ($oneOff | Format-Table | Out-String) | Should -Match '\(one-off\) one-off migration done'
        @(Get-CruddurLog backend-flask -TaskId $serviceTask).TaskId | Select-Object -Unique | Should -Be $serviceTask
    }

    It 'pages through more than 10,000 events of several tasks, merged in time order, -Tail and -Filter included' {
        New-LoggedService backend-flask $work -DesiredCount 2 | Out-Null
        $ids = Wait-Until { $i = Get-TaskIds backend-flask; if ($i.Count -eq 2) { , $i } } 'two tasks'
        $base = (Get-EpochMs) - 600000
        # 6,000 lines per task, the two tasks' timestamps interleaved, pairs of lines sharing a millisecond.
        foreach ($n in 0, 1) {
            $events = foreach ($i in 0..5999) { @{ timestamp = $base + 2 * [Math]::Floor($i / 2) + $n; message = "task$n line $i" } }
            Add-LogLines "backend-flask/backend-flask/$($ids[$n])" $events
        }

        $all = @(Get-CruddurLog backend-flask -Since ([DateTimeOffset]::FromUnixTimeMilliseconds($base).LocalDateTime) |
            Where-Object Message -Like 'task* line *')

        $all.Count | Should -Be 12000
        $times = $all.Time.ToUnixTimeMilliseconds()
        for ($i = 1; $i -lt $times.Count; $i++) { if ($times[$i] -lt $times[$i - 1]) { throw "out of order at $i" } }
        ($all | Group-Object EventId | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        $all[0].Message | Should -Be 'task0 line 0'
        $all[2].Message | Should -Be 'task1 line 0'

        $tail = @(Get-CruddurLog backend-flask -Tail 100 -Since 1h)
        $tail.Count | Should -Be 100
        # The running tasks keep logging (start-up and health-check lines, newer than the generated ones), so the tail is
        # the newest 100 of everything: in time order, ending no earlier than the newest generated line, and whatever
        # generated lines it holds are the newest of them.
        $tailTimes = $tail.Time.ToUnixTimeMilliseconds()
        for ($i = 1; $i -lt $tailTimes.Count; $i++) { if ($tailTimes[$i] -lt $tailTimes[$i - 1]) { throw "tail out of order at $i" } }
        $tail[-1].Time | Should -BeGreaterOrEqual $all[-1].Time
        $generated = @($tail | Where-Object Message -Like 'task* line *')
        if ($generated) { $generated.EventId | Should -Be @($all[(-$generated.Count)..-1].EventId) }

        # The generated lines predate the tasks, whose streams are otherwise read from the task's start.
        $filtered = @(Get-CruddurLog backend-flask -Filter '"line 5999"' -Since 1h)
        $filtered.Message | Sort-Object | Should -Be @('task0 line 5999', 'task1 line 5999')
    }

    It 'follows new lines exactly once, picks up a task that starts, and stops within a second on Ctrl+C' {
        New-LoggedService backend-flask $work | Out-Null
        $first = Get-TaskIds backend-flask
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$env:CRUDDUR_MODULE_PATH'; Get-CruddurLog backend-flask -Follow")
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
        # Enumerating a collection the running pipeline still writes to waits for that pipeline to end, so the lines
        # are moved out of it as they come and the assertions read the copy.
        $seen = [System.Collections.Generic.List[psobject]]::new()
        $received = { $seen.AddRange($output.ReadAll()); $seen.ToArray() }
        try {
            Wait-Until { (& $received).Count -ge 2 } 'the start-up lines' 60 | Out-Null
            # Three lines in the same millisecond, written in two calls, then one more: each must appear once.
            $now = Get-EpochMs
            Add-LogLines "backend-flask/backend-flask/$first" @(@{ timestamp = $now; message = 'after 1' }, @{ timestamp = $now; message = 'after 2' })
            Wait-Until { (& $received).Message -contains 'after 2' } 'the first lines written after the follow began' 60 | Out-Null
            Add-LogLines "backend-flask/backend-flask/$first" @(@{ timestamp = $now; message = 'after 3, same millisecond' }, @{ timestamp = $now + 1; message = 'after 4' })
            # A new deployment's task: its own stream, found while following.
            Deploy-CruddurService backend-flask -NoWait | Out-Null
            $second = Wait-Until { $o = @(& $received | Where-Object TaskId -NE $first); if ($o) { $o[0].TaskId } } 'lines of the new task' 60
            Add-LogLines "backend-flask/backend-flask/$first" @(@{ timestamp = (Get-EpochMs); message = 'sentinel' })
            Wait-Until { (& $received).Message -contains 'sentinel' } 'the sentinel' 60 | Out-Null

            $ps.Stop()
            $stop = [Diagnostics.Stopwatch]::StartNew()
            Wait-Until { $async.IsCompleted } 'the follow to end' 5 | Out-Null
            $stop.Elapsed.TotalSeconds | Should -BeLessThan 3 -Because 'the follow ends at Ctrl+C, not at its next poll (a bound a loaded machine keeps)'

            $all = & $received
            $mine = @($all | Where-Object TaskId -EQ $first | ForEach-Object Message)
            foreach ($m in 'after 1', 'after 2', 'after 3, same millisecond', 'after 4', 'sentinel') {
                @($mine -eq $m).Count | Should -Be 1 -Because "'$m' appears once"
            }
            ($all | Group-Object EventId | Where-Object Count -GT 1) | Should -BeNullOrEmpty
            @($all | Where-Object TaskId -EQ $second | ForEach-Object Message) -join "`n" | Should -Match 'started from'
        } finally {
            # A follow that did not stop must not hold the test run: stop it without waiting, then dispose.
            if (-not $async.IsCompleted) { $null = $ps.BeginStop($null, $null) }
            if ($async.AsyncWaitHandle.WaitOne(5000)) { $ps.Dispose() }
        }
    }

    Context 'bad input' {
        It 'says what to add when the task definition has no awslogs configuration' {
            New-LoggedService backend-flask $work -NoLogs | Out-Null
            { Get-CruddurLog backend-flask -ErrorAction Stop } | Should -Throw -ErrorId "LogNotConfigured$suffix"
            $Error[0].Exception.Message | Should -Match '"logDriver": "awslogs"'
            $Error[0].Exception.Message | Should -Match '"awslogs-stream-prefix": "xray"|"awslogs-stream-prefix": "backend-flask"'
        }

        It 'names a log group that does not exist' {
            New-LoggedService backend-flask $work | Out-Null
            Invoke-Aws logs delete-log-group --log-group-name cruddur | Out-Null
            { Get-CruddurLog backend-flask -ErrorAction Stop } | Should -Throw -ErrorId "LogGroupNotFound$suffix"
            $Error[0].Exception.Message | Should -Match "log group 'cruddur' does not exist in us-east-1"
        }

        It 'says so when the service has no task' {
            New-LoggedService backend-flask $work -DesiredCount 0 | Out-Null
            { Get-CruddurLog backend-flask -ErrorAction Stop } | Should -Throw -ErrorId "LogNoTask$suffix"
        }

        It 'refuses -Since in the future or unparsable, before calling AWS' -TestCases @(
            @{ Since = (Get-Date).AddHours(1); Id = 'LogSinceInFuture' }
            @{ Since = '10 minutes'; Id = 'LogSinceInvalid' }
        ) {
            param($Since, $Id)
            { Get-CruddurLog backend-flask -Since $Since -ErrorAction Stop } | Should -Throw -ErrorId "$Id$suffix"
            $Error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'names the containers when -Container is unknown' {
            New-LoggedService backend-flask $work | Out-Null
            { Get-CruddurLog backend-flask -Container web -ErrorAction Stop } | Should -Throw -ErrorId "TaskContainerNotFound$suffix"
            $Error[0].Exception.Message | Should -Match 'xray, backend-flask'
        }

        It 'names a service that does not exist' {
            { Get-CruddurLog frontend-react-js -ErrorAction Stop } | Should -Throw -ErrorId "ServiceNotFound$suffix"
        }
    }
}

Describe 'Deploy-CruddurService failure logs' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        Invoke-Aws logs create-log-group --log-group-name cruddur | Out-Null
        $script:work = New-TestFolder
    }

    It 'carries each stopped task''s reason, exit codes and the crash traceback in the error and the Deployment' {
        New-LoggedService backend-flask $work -CircuitBreaker | Out-Null
        $bad = New-LoggedTaskDefinition backend-flask $work -Scenario crash

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $bad -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.Exception.Message | Should -Match 'The last lines of container backend-flask in task [0-9a-f]{32}:'
        $err.Exception.Message | Should -Match 'Traceback \(most recent call last\):'
        $err.Exception.Message | Should -Match "KeyError: 'CONNECTION_URL'"
        $stopped = $err.TargetObject.StoppedTasks
        # The crash comes after the task started: the deploy fails at the circuit breaker's third failed task or, when the
        # rollout completed first, at the first task that stops in the stability window.
        $stopped.Count | Should -BeGreaterOrEqual 1
        foreach ($t in $stopped) {
            $t.StoppedReason | Should -Be 'Essential container in task exited'
            $t.FailingContainer | Should -Be 'backend-flask'
            $t.ExitCodes['backend-flask'] | Should -Be 1
            $t.LogTail[-1] | Should -Be "KeyError: 'CONNECTION_URL'"
            $t.LogTail | Should -Contain 'Traceback (most recent call last):'
        }
    }
}
