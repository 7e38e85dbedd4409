# Invoke-CruddurTask against the ECS simulator, whose one-off tasks run their command as a real local process and write its
# output to CloudWatch Logs in moto.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/logged-service.ps1
    $script:stack = Start-CruddurStack Ecs, Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:suffix = ',Cruddur.PowerShell.Commands.InvokeCruddurTaskCommand'
    function Get-SimCalls([string] $Operation) { $c = Invoke-RestMethod "$($stack.EcsUrl)/_sim/calls"; if ($c.$Operation) { $c.$Operation } else { 0 } }
    function Get-Task([string] $Id) { (Invoke-Aws ecs describe-tasks --cluster cruddur --tasks $Id).tasks[0] }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Invoke-CruddurTask' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        Invoke-Aws logs create-log-group --log-group-name cruddur | Out-Null
        $script:work = New-TestFolder
        New-LoggedService backend-flask $work | Out-Null
    }

    It 'runs a one-off command with the service''s task definition and network, and returns exit code 0 and its lines' {
        $r = Invoke-CruddurTask backend-flask -Command "sh -c 'echo migrated; echo env=`$FROM_DEFINITION/`$GREETING; exit 0'" -Environment @{ GREETING = 'hi' } -InformationVariable lines

        $r.PSObject.TypeNames[0] | Should -Be 'Cruddur.Core.Tasks.TaskResult'
        $r.ExitCode | Should -Be 0
        $r.LastStatus | Should -Be 'STOPPED'
        $r.StopCode | Should -Be 'EssentialContainerExited'
        $r.Container | Should -Be 'backend-flask'
        $r.Logs | Should -Be @('migrated', 'env=td/hi')
        @($lines.MessageData) | Should -Be @('migrated', 'env=td/hi') -Because 'the lines stream live to the information stream'
        $r.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $r.StoppedAt | Should -BeGreaterOrEqual $r.StartedAt
        $task = Get-Task $r.TaskId
        $task.taskDefinitionArn | Should -BeLike '*:task-definition/backend-flask:1'
        $task.enableExecuteCommand | Should -BeTrue -Because 'the service has ECS Exec on'
        ($task.attachments[0].details | Where-Object name -EQ subnetId).value | Should -Be $loggedNetwork.Subnet
        $task.overrides.containerOverrides[0].command | Should -Be @('sh', '-c', 'echo migrated; echo env=$FROM_DEFINITION/$GREETING; exit 0')
        # The same lines are in CloudWatch Logs, in the awslogs stream of the task.
        (Invoke-Aws logs get-log-events --log-group-name cruddur --log-stream-name "backend-flask/backend-flask/$($r.TaskId)").events.message | Should -Be @('migrated', 'env=td/hi')
    }

    It 'fails with the exit code, the reason and the last lines when the command exits 7' {
        { Invoke-CruddurTask backend-flask -Command sh, -c, 'echo checking schema; echo fatal: no such table >&2; exit 7' -ErrorAction Stop } |
            Should -Throw -ErrorId "TaskFailed$suffix"

        $err = $Error[0]
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Match 'exited with code 7'
        $err.Exception.Message | Should -Match 'Essential container in task exited'
        $err.Exception.Message | Should -Match 'fatal: no such table'
        $err.TargetObject.ExitCode | Should -Be 7
        # Standard output and standard error are two pipes, in a container (the awslogs driver) as in the simulator: the
        # log has both lines, in either order.
        $err.TargetObject.Logs | Sort-Object | Should -Be @('checking schema', 'fatal: no such table')
    }

    It 'fails with TaskNotStarted when the command cannot start' {
        { Invoke-CruddurTask backend-flask -Command 'no-such-migrate-tool --all' -ErrorAction Stop } | Should -Throw -ErrorId "TaskNotStarted$suffix"

        $Error[0].Exception.Message | Should -Match 'never started: CannotStartContainerError: .*no-such-migrate-tool.*TaskFailedToStart'
        $Error[0].TargetObject.Started | Should -BeFalse
        $Error[0].TargetObject.ExitCode | Should -BeNullOrEmpty
    }

    It 'fails with TaskNotStarted when the log group is gone' {
        Invoke-Aws logs delete-log-group --log-group-name cruddur | Out-Null

        { Invoke-CruddurTask backend-flask -Command 'true' -ErrorAction Stop } | Should -Throw -ErrorId "TaskNotStarted$suffix"
        $Error[0].Exception.Message | Should -Match 'ResourceInitializationError: .*log group does not exist'
    }

    It 'times out with TaskTimedOut and leaves the task running' {
        { Invoke-CruddurTask backend-flask -Command 'sleep 300' -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId "TaskTimedOut$suffix"

        $r = $Error[0].TargetObject
        $r.TimedOut | Should -BeTrue
        $Error[0].Exception.Message | Should -Match "Get-CruddurLog -Service backend-flask -TaskId $($r.TaskId) -Follow"
        (Get-Task $r.TaskId).lastStatus | Should -Be 'RUNNING'
        Invoke-Aws ecs stop-task --cluster cruddur --task $r.TaskId | Out-Null
    }

    It 'returns at once with -NoWait' {
        $r = Invoke-CruddurTask backend-flask -Command 'sleep 300' -NoWait

        $r.LastStatus | Should -BeIn 'PROVISIONING', 'PENDING'
        $r.ExitCode | Should -BeNullOrEmpty
        Invoke-Aws ecs stop-task --cluster cruddur --task $r.TaskId | Out-Null
    }

    It 'runs nothing under -WhatIf' {
        Invoke-CruddurTask backend-flask -Command 'true' -WhatIf
        Get-SimCalls RunTask | Should -Be 0
    }

    It 'on Ctrl+C asks whether to stop the task: leaving it running says how to follow it, stopping it stops it' -TestCases @(
        @{ Choice = 0; Stopped = $false }
        @{ Choice = 1; Stopped = $true }
    ) {
        param($Choice, $Stopped)
        $recorder, $runspace, $ps = New-RecordedPipeline "Invoke-CruddurTask backend-flask -Command 'sleep 300'"
        $async = $ps.BeginInvoke()
        try {
            $id = Wait-Until {
                $arns = @((Invoke-Aws ecs list-tasks --cluster cruddur --started-by Invoke-CruddurTask).taskArns)
                if ($arns -and (Get-Task $arns[0]).lastStatus -eq 'RUNNING') { ($arns[0] -split '/')[-1] }
            } 'the one-off task to run' 30

            $stopping = $ps.BeginStop($null, $null)
            $recorder.Prompted.Wait([TimeSpan]::FromSeconds(10)) | Should -BeTrue -Because 'the user is asked whether to stop the task'
            $recorder.Answer($Choice)
            $ps.EndStop($stopping)

            $async.IsCompleted | Should -BeTrue
            $told = @($recorder.Warnings) + @($ps.Streams.Warning | ForEach-Object Message) -join "`n"
            if ($Stopped) {
                $told | Should -Match "Stopped the one-off task $id"
                (Get-Task $id).desiredStatus | Should -Be 'STOPPED'
            } else {
                $told | Should -Match "task $id keeps running"
                $told | Should -Match "Get-CruddurLog -Cluster cruddur -Service backend-flask -TaskId $id -Follow"
                (Get-Task $id).lastStatus | Should -Be 'RUNNING'
                Invoke-Aws ecs stop-task --cluster cruddur --task $id | Out-Null
            }
        } finally { $ps.Dispose(); $runspace.Dispose() }
    }

    Context 'bad input' {
        It 'refuses an unbalanced quote before calling ECS' {
            { Invoke-CruddurTask backend-flask -Command "sh -c 'echo migrated" -ErrorAction Stop } | Should -Throw -ErrorId "TaskCommandUnbalancedQuote$suffix"
            $Error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $Error[0].Exception.Message | Should -Match 'unbalanced single quote'
            Get-SimCalls RunTask | Should -Be 0
        }

        It 'names a task definition that does not exist' {
            { Invoke-CruddurTask backend-flask -TaskDefinition backend-flask:99 -Command true -ErrorAction Stop } | Should -Throw -ErrorId "TaskDefinitionNotFound$suffix"
            $Error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Get-SimCalls RunTask | Should -Be 0
        }

        It 'names the containers when -Container is unknown' {
            { Invoke-CruddurTask backend-flask -Container web -Command true -ErrorAction Stop } | Should -Throw -ErrorId "TaskContainerNotFound$suffix"
            $Error[0].Exception.Message | Should -Match 'xray, backend-flask'
            Get-SimCalls RunTask | Should -Be 0
        }

        It 'names a service that does not exist' {
            { Invoke-CruddurTask frontend-react-js -Command true -ErrorAction Stop } | Should -Throw -ErrorId "ServiceNotFound$suffix"
        }
    }
}
