# Connect-CruddurTask against the ECS simulator (tasks, ExecuteCommand, managed agents, runtime ids, and the agent side of the
# Session Manager data channel, which runs each command for real in a pty) and moto (IAM, KMS). The only stand-in is
# session-manager-plugin for -UsePlugin: a script first on PATH that records its arguments, environment and standard streams.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Ecs, Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:errorSuffix = ',Cruddur.PowerShell.Commands.ConnectCruddurTaskCommand'
    $script:defaultShell = "/bin/sh -c 'if [ -x /bin/bash ]; then exec /bin/bash; else exec /bin/sh; fi'"

    # The stand-in plugin: no arguments and --version answer as the real one does; a session records what it was given.
    $script:pluginDir = New-TestFolder plugin-bin
    $script:record = Join-Path $TestDrive 'plugin-record.json'
    Set-Content (Join-Path $pluginDir 'session-manager-plugin') -NoNewline -Value @'
#!/bin/bash
if [ $# -eq 0 ]; then printf '\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n'; exit 0; fi
if [ "$1" = "--version" ] && [ $# -eq 1 ]; then echo "${CRUDDUR_STANDIN_VERSION:-1.2.707.0}"; exit 0; fi
exec python3 "$(dirname "$0")/record.py" "$@"
'@
    Set-Content (Join-Path $pluginDir 'record.py') -Value @'
import json, os, sys, time
# How the real plugin reacts to the module's probe: it reads argument 1 as a variable name (or, when too old, as JSON).
if os.environ.get("CRUDDUR_STANDIN_ENVFORM", "1") == "0":
    print("Cannot perform start session: invalid character 'A' looking for beginning of value"); sys.exit(0)
try:
    json.loads(os.environ.get(sys.argv[1], ""))
except ValueError:
    print("Cannot perform start session: unexpected end of JSON input"); sys.exit(0)
out = os.environ["CRUDDUR_STANDIN_RECORD"]
streams = {str(fd): os.readlink(f"/proc/self/fd/{fd}") for fd in (0, 1, 2)}
record = {"argv": sys.argv[1:], "env": dict(os.environ), "streams": streams, "cmdline": open("/proc/self/cmdline", "rb").read().decode()}
release = os.environ.get("CRUDDUR_STANDIN_WAIT")
if release:
    open(out + ".started", "w").close()
    deadline = time.time() + 60
    while not os.path.exists(release) and time.time() < deadline:
        time.sleep(0.05)
    record["released"] = os.path.exists(release)
with open(out, "w") as f:
    json.dump(record, f)
sys.exit(int(os.environ.get("CRUDDUR_STANDIN_EXIT", "0")))
'@
    chmod +x (Join-Path $pluginDir 'session-manager-plugin')
    $script:originalPath = $env:PATH
    $env:CRUDDUR_STANDIN_RECORD = $record

    function Invoke-Ecs([string] $Operation, [hashtable] $Body) {
        Invoke-RestMethod -Method Post -Uri $stack.EcsUrl -ContentType 'application/x-amz-json-1.1' `
            -Headers @{ 'X-Amz-Target' = "AmazonEC2ContainerServiceV20141113.$Operation" } -Body ($Body | ConvertTo-Json -Depth 20 -Compress)
    }
    function Invoke-Iam {
        aws iam @args --output json
        if ($LASTEXITCODE) { throw "aws iam $args failed" }
    }
    function Get-Sessions { @(Invoke-RestMethod "$($stack.EcsUrl)/_sim/sessions") }
    # Invoke-RestMethod passes this endpoint's JSON array on as one object: enumerate it.
    function Get-Channels { @(Invoke-RestMethod "$($stack.EcsUrl)/_sim/channels" | ForEach-Object { $_ }) }
    function Set-ChannelFaults([hashtable] $Faults) {
        Invoke-RestMethod -Method Post "$($stack.EcsUrl)/_sim/channel-faults" -ContentType 'application/json' -Body ($Faults | ConvertTo-Json) | Out-Null
    }

    # Polls ECS until the service has $Count RUNNING tasks; returns them newest first.
    function Wait-RunningTask([string] $Service, [int] $Count = 1) {
        # Wrapped in an array so that one task is still a truthy answer for Wait-Until.
        $tasks = Wait-Until {
            $arns = @((Invoke-Ecs ListTasks @{ cluster = 'cruddur'; serviceName = $Service }).taskArns)
            $running = if ($arns) { @((Invoke-Ecs DescribeTasks @{ cluster = 'cruddur'; tasks = $arns }).tasks | Where-Object lastStatus -eq 'RUNNING') } else { @() }
            if ($running.Count -ge $Count) { , @($running | Sort-Object startedAt -Descending) }
        } "$Count running task(s) of $Service" 60
        @($tasks)
    }

    # A service like the seed's backend-flask: an xray sidecar and the app container, named like the service.
    function New-TestService {
        param([string] $Name = 'backend-flask', [bool] $Exec = $true, [AllowNull()] [string] $RoleArn = $script:goodRole,
            [hashtable] $App = @{ linuxParameters = @{ initProcessEnabled = $true } }, [int] $Count = 1, [string[]] $ContainerNames)
        Invoke-Ecs CreateCluster @{ clusterName = 'cruddur' } | Out-Null
        $names = if ($ContainerNames) { $ContainerNames } else { 'xray', $Name }
        $containers = foreach ($n in $names) {
            $c = @{ name = $n; image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/${n}:latest"; essential = $true }
            if ($n -eq $Name) { foreach ($k in $App.Keys) { $c[$k] = $App[$k] } }
            $c
        }
        $definition = @{ family = $Name; networkMode = 'awsvpc'; cpu = '256'; memory = '512'; requiresCompatibilities = @('FARGATE'); containerDefinitions = @($containers) }
        if ($RoleArn) { $definition.taskRoleArn = $RoleArn }
        Invoke-Ecs RegisterTaskDefinition $definition | Out-Null
        Invoke-Ecs CreateService @{ cluster = 'cruddur'; serviceName = $Name; taskDefinition = $Name; desiredCount = $Count; launchType = 'FARGATE'; enableExecuteCommand = $Exec } | Out-Null
        if ($Count -gt 0) { Wait-RunningTask $Name $Count }
    }

    function Get-Check([string] $Name, [object[]] $Checks) { $Checks | Where-Object Check -eq $Name }

    # IAM in moto, made once: the seed's CruddurTaskRole with SSMAccessPolicy, a role without it, one with a managed policy.
    $trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}'
    $ssm = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateDataChannel","ssmmessages:OpenDataChannel","ssmmessages:OpenControlChannel","ssmmessages:CreateControlChannel"],"Resource":"*"}]}'
    foreach ($role in 'CruddurTaskRole', 'NoSsmRole', 'ManagedSsmRole') { Invoke-Iam create-role --role-name $role --assume-role-policy-document $trust | Out-Null }
    Invoke-Iam put-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy --policy-document $ssm | Out-Null
    Invoke-Iam put-role-policy --role-name NoSsmRole --policy-name Logs --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*","ssmmessages:CreateControlChannel"],"Resource":"*"}]}' | Out-Null
    $managed = (Invoke-Iam create-policy --policy-name SsmAll --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssmmessages:*","Resource":"*"}]}' | ConvertFrom-Json).Policy.Arn
    Invoke-Iam attach-role-policy --role-name ManagedSsmRole --policy-arn $managed | Out-Null
    $script:goodRole = 'arn:aws:iam::123456789012:role/CruddurTaskRole'
    # What ECS looks up when it launches the test tasks: their ECR images and the secret one of them reads.
    Initialize-DeployPrerequisites -Image xray, backend-flask, backend-worker, worker, app, sidecar -Parameter /cruddur/backend-flask/AWS_ACCESS_KEY_ID | Out-Null
}

AfterAll {
    $env:PATH = $originalPath
    Remove-Item Env:CRUDDUR_STANDIN_* -ErrorAction Ignore
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Connect-CruddurTask' {
    BeforeEach {
        Invoke-RestMethod -Method Post "$($stack.EcsUrl)/_sim/reset" | Out-Null
        Remove-Item $record, "$record.started" -ErrorAction Ignore
        Remove-Item Env:CRUDDUR_STANDIN_EXIT, Env:CRUDDUR_STANDIN_VERSION, Env:CRUDDUR_STANDIN_WAIT, Env:CRUDDUR_STANDIN_ENVFORM -ErrorAction Ignore
        $env:PATH = $pluginDir + [IO.Path]::PathSeparator + $originalPath
        $global:LASTEXITCODE = 0
    }

    Context 'connecting' {
        It 'with -UsePlugin, opens the bash-or-sh shell in the newest running task, starting the plugin exactly as the AWS CLI does' {
            $older = (New-TestService -Count 1)[0]
            Invoke-Ecs UpdateService @{ cluster = 'cruddur'; service = 'backend-flask'; desiredCount = 2 } | Out-Null
            $newest = (Wait-RunningTask backend-flask 2)[0]
            $newest.taskArn | Should -Not -Be $older.taskArn
            $runtimeId = ($newest.containers | Where-Object name -eq 'backend-flask').runtimeId

            $text = Get-AllStreamText { Connect-CruddurTask -Service backend-flask -UsePlugin -Verbose }

            $session = Get-Sessions
            $session.Count | Should -Be 1
            $session[0].Command | Should -BeExactly $defaultShell
            $session[0].Container | Should -Be 'backend-flask'
            $session[0].TaskArn | Should -Be $newest.taskArn
            $got = Get-Content $record -Raw | ConvertFrom-Json
            $taskId = ($newest.taskArn -split '/')[-1]
            $got.argv | Should -Be @('AWS_SSM_START_SESSION_RESPONSE', 'us-east-1', 'StartSession', '', "{`"Target`":`"ecs:cruddur_${taskId}_$runtimeId`"}", $stack.EcsUrl)
            $passed = $got.env.AWS_SSM_START_SESSION_RESPONSE | ConvertFrom-Json
            $passed.sessionId | Should -Be $session[0].SessionId
            $passed.streamUrl | Should -BeLike 'ws://127.0.0.1:*/v1/data-channel/*'
            $passed.tokenValue | Should -Not -BeNullOrEmpty
            $got.cmdline | Should -Not -Match ([regex]::Escape($passed.tokenValue))
            ($got.argv -join ' ') | Should -Not -Match ([regex]::Escape($passed.tokenValue))
            $text | Should -Not -Match ([regex]::Escape($passed.tokenValue))
            $LASTEXITCODE | Should -Be 0
        }

        It 'gives the plugin our own console streams, not redirected ones' {
            New-TestService | Out-Null
            Connect-CruddurTask -Service backend-flask -UsePlugin
            $got = Get-Content $record -Raw | ConvertFrom-Json
            foreach ($fd in 0, 1, 2) {
                $got.streams."$fd" | Should -Be (readlink "/proc/$PID/fd/$fd") -Because "fd $fd must be inherited"
            }
        }

        It 'runs one -Command -UsePlugin in the task named by a bare -TaskId and the -Container asked for' {
            $task = (New-TestService -Count 2)[1]
            $taskId = ($task.taskArn -split '/')[-1]
            $runtimeId = ($task.containers | Where-Object name -eq 'xray').runtimeId

            Connect-CruddurTask -Service backend-flask -TaskId $taskId -Container xray -Command 'python -V' -UsePlugin

            $session = Get-Sessions
            $session[0].Command | Should -BeExactly 'python -V'
            $session[0].Container | Should -Be 'xray'
            $session[0].TaskArn | Should -Be $task.taskArn
            (Get-Content $record -Raw | ConvertFrom-Json).argv[4] | Should -Be "{`"Target`":`"ecs:cruddur_${taskId}_$runtimeId`"}"
        }

        It 'binds Cluster, Service, TaskArn and Container from the pipeline, and -Task takes an ARN' {
            $tasks = New-TestService -Count 2
            [pscustomobject]@{ Cluster = 'cruddur'; Service = 'backend-flask'; TaskArn = $tasks[1].taskArn; Container = 'xray' } | Connect-CruddurTask -Command 'true'
            [pscustomobject]@{ Cluster = 'cruddur'; Service = 'backend-flask' } | Connect-CruddurTask -Command 'id'
            Connect-CruddurTask -Task $tasks[1].taskArn -Command 'hostname'

            $sessions = Get-Sessions
            $sessions.Count | Should -Be 3
            $sessions[0].TaskArn, $sessions[0].Container | Should -Be $tasks[1].taskArn, 'xray'
            $sessions[1].TaskArn, $sessions[1].Container | Should -Be $tasks[0].taskArn, 'backend-flask'
            # Without -Service, the service comes from the task's group and names the container.
            $sessions[2].TaskArn, $sessions[2].Container | Should -Be $tasks[1].taskArn, 'backend-flask'
        }

        It 'passes on the plugin''s non-zero exit code and says what it means' {
            New-TestService | Out-Null
            $env:CRUDDUR_STANDIN_EXIT = '3'
            { Connect-CruddurTask -Service backend-flask -UsePlugin -ErrorAction Stop } | Should -Throw -ErrorId "ExecPluginFailed$errorSuffix" -ExpectedMessage '*failed with exit code 3*crash*'
            $LASTEXITCODE | Should -Be 3
            $err = $null
            Connect-CruddurTask -Service backend-flask -UsePlugin -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.ExitCode | Should -Be 3
            $env:CRUDDUR_STANDIN_EXIT = '130'
            { Connect-CruddurTask -Service backend-flask -UsePlugin -ErrorAction Stop } | Should -Throw -ErrorId "ExecPluginFailed$errorSuffix" -ExpectedMessage '*interrupted (SIGINT, Ctrl+C)*'
            $env:CRUDDUR_STANDIN_EXIT = '143'
            { Connect-CruddurTask -Service backend-flask -UsePlugin -ErrorAction Stop } | Should -Throw -ExpectedMessage '*terminated (SIGTERM)*'
        }

        It 'opens no session under -WhatIf, after checking' {
            New-TestService | Out-Null
            Connect-CruddurTask -Service backend-flask -WhatIf
            Get-Sessions | Should -BeNullOrEmpty
            $record | Should -Not -Exist
        }

        It 'warns about AWS keys in the container and connects anyway' {
            New-TestService -App @{ linuxParameters = @{ initProcessEnabled = $true }; secrets = @(@{ name = 'AWS_ACCESS_KEY_ID'; valueFrom = 'arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/AWS_ACCESS_KEY_ID' }) } | Out-Null
            Connect-CruddurTask -Service backend-flask -UsePlugin -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings | Should -HaveCount 1
            "$warnings" | Should -Match 'ContainerAwsCredentials: .*AWS_ACCESS_KEY_ID'
            $record | Should -Exist
        }

        It 'keeps the plugin running when pwsh receives Ctrl+C (SIGINT) during the session' {
            New-TestService | Out-Null
            $release = Join-Path $TestDrive 'release'
            $env:CRUDDUR_STANDIN_WAIT = $release
            $script = "Import-Module '$env:CRUDDUR_MODULE_PATH'; Connect-CruddurTask -Service backend-flask -UsePlugin; 'after:' + `$LASTEXITCODE"
            # pwsh runs as a dotnet tool here: start the same pwsh.dll with the same host.
            $pwsh = if (Test-Path "$PSHOME/pwsh.dll") { [Environment]::ProcessPath, "$PSHOME/pwsh.dll" } else { [Environment]::ProcessPath }
            $argumentList = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)
            $child = Start-Process -PassThru -FilePath $pwsh[0] -ArgumentList $argumentList `
                -RedirectStandardOutput (Join-Path $TestDrive 'child.out') -RedirectStandardError (Join-Path $TestDrive 'child.err')
            try {
                $deadline = [datetime]::UtcNow.AddSeconds(60)
                while (-not (Test-Path "$record.started")) {
                    if ($child.HasExited -or [datetime]::UtcNow -gt $deadline) { throw "the plugin never started: $(Get-Content (Join-Path $TestDrive 'child.err') -Raw)" }
                    Start-Sleep -Milliseconds 50
                }
                kill -INT $child.Id
                Start-Sleep -Milliseconds 500  # give a wrongly handled SIGINT the time to kill the plugin
                New-Item $release -ItemType File | Out-Null
                $child.WaitForExit(60000) | Should -BeTrue
            } finally {
                if (-not $child.HasExited) { $child.Kill($true) }
            }
            (Get-Content $record -Raw | ConvertFrom-Json).released | Should -BeTrue
        }
    }

    Context 'native -Command' {
        It 'returns the output and the exit code, shows the output live, and fails with ExecCommandFailed' {
            New-TestService | Out-Null
            $err = $null
            $all = Connect-CruddurTask -Service backend-flask -Command 'echo hi; exit 3' -ErrorVariable err -ErrorAction SilentlyContinue 6>&1
            $result = $all | Where-Object { $_.PSObject.TypeNames[0] -eq 'Cruddur.Core.Exec.ExecResult' }
            $live = $all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
            $result.Output | Should -Be @('hi')
            $result.ExitCode | Should -Be 3
            $result.Command | Should -Be 'echo hi; exit 3'
            $result.Container | Should -Be 'backend-flask'
            $result.Duration | Should -BeOfType [timespan]
            "$live" | Should -Be 'hi'
            $LASTEXITCODE | Should -Be 3
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be "ExecCommandFailed$errorSuffix"
            $err[0].Exception.ExitCode | Should -Be 3
            $err[0].TargetObject.Output | Should -Be @('hi')
            $record | Should -Not -Exist -Because 'the native path starts no plugin'
        }

        It 'needs no plugin: the plugin row only informs, and exit code 0 is no error' {
            New-TestService | Out-Null
            $env:PATH = $originalPath
            $plugin = Get-Check SessionManagerPlugin (Connect-CruddurTask -Service backend-flask -Command 'true' -Check)
            $plugin.Status | Should -Be 'Info'
            $plugin.Detail | Should -Match 'not on PATH'
            $result = Connect-CruddurTask -Service backend-flask -Command 'echo out; echo err >&2' -ErrorAction Stop
            $result.Output | Should -Be @('out', 'err')
            $result.ExitCode | Should -Be 0
            $LASTEXITCODE | Should -Be 0
            ($result | Out-String) | Should -Match 'ExitCode'
        }

        It 'keeps the session token out of every stream and starts no child process' {
            New-TestService | Out-Null
            $text = Get-AllStreamText { Connect-CruddurTask -Service backend-flask -Command 'env; echo done' -Verbose }
            $text | Should -Match 'done'
            # Tokens are 96 random bytes in base64: no run of 100 base64 characters may appear anywhere.
            $text | Should -Not -Match '[A-Za-z0-9+/]{100,}'
            (Get-Channels)[0].state | Should -Be 'closed'
            $record | Should -Not -Exist
        }

        It 'gives exactly the output through lost, duplicated and reordered messages' {
            New-TestService | Out-Null
            Set-ChannelFaults @{ dropEvery = 5; duplicateEvery = 4; reorderEvery = 3 }
            $result = Connect-CruddurTask -Service backend-flask -Command 'seq 1 3000' -InformationAction Ignore
            $result.Output | Should -Be @(1..3000 | ForEach-Object { "$_" })
            (Get-Channels)[0].resent | Should -BeGreaterThan 0
        }

        It 'runs a KMS-encrypted session when the cluster''s exec configuration names a key' {
            $keyId = (aws kms create-key --output json | ConvertFrom-Json).KeyMetadata.KeyId
            Invoke-RestMethod -Method Post "$($stack.EcsUrl)/_sim/kms" -ContentType 'application/json' -Body (@{ endpoint = $stack.MotoUrl } | ConvertTo-Json) | Out-Null
            Invoke-Ecs CreateCluster @{ clusterName = 'cruddur'; configuration = @{ executeCommandConfiguration = @{ kmsKeyId = $keyId; logging = 'DEFAULT' } } } | Out-Null
            New-TestService | Out-Null
            $text = Get-AllStreamText { Connect-CruddurTask -Service backend-flask -Command 'echo encrypted-ok' -Verbose }
            $text | Should -Match 'encrypted-ok'
            $text | Should -Match 'encrypted using AWS KMS'
            (Get-Channels)[0].kmsKeyId | Should -Be $keyId
            (Get-Channels)[0].state | Should -Be 'closed'
        }

        It 'stops the remote command on Ctrl+C' {
            New-TestService | Out-Null
            $script = "Import-Module '$env:CRUDDUR_MODULE_PATH'; Connect-CruddurTask -Service backend-flask -Command 'echo started; sleep 300; echo never'; 'after'"
            $pwsh = if (Test-Path "$PSHOME/pwsh.dll") { [Environment]::ProcessPath, "$PSHOME/pwsh.dll" } else { [Environment]::ProcessPath }
            $argumentList = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)
            $out = Join-Path $TestDrive 'ctrlc.out'
            $child = Start-Process -PassThru -FilePath $pwsh[0] -ArgumentList $argumentList -RedirectStandardOutput $out -RedirectStandardError (Join-Path $TestDrive 'ctrlc.err')
            try {
                Wait-Until {
                    if ($child.HasExited) { throw "Connect-CruddurTask ended early: $(Get-Content (Join-Path $TestDrive 'ctrlc.err') -Raw)" }
                    Get-Channels | Where-Object state -eq 'running'
                } 'the remote command to start' 180 | Out-Null
                kill -INT $child.Id
                $child.WaitForExit(30000) | Should -BeTrue -Because 'Ctrl+C must end the cmdlet within seconds, not after the 300 s command'
            } finally {
                if (-not $child.HasExited) { $child.Kill($true) }
            }
            $channel = Wait-Until { Get-Channels | Where-Object { $null -ne $_.exitCode } } 'the remote command to end' 15
            $channel.exitCode | Should -Be 130 -Because 'the pty delivered Ctrl+C (SIGINT) to the remote command'
            Get-Content $out -Raw | Should -Not -Match 'never'
        }

        It 'reports <case> as <id>' -TestCases @(
            @{ case = 'the server closing mid-session'; id = 'ExecChannelLost'; faults = @{ closeAfterBytes = 4096 }; command = 'seq 1 100000' }
            @{ case = 'a refused token'; id = 'ExecChannelRefused'; faults = @{ refuseToken = $true }; command = 'echo hi' }
            @{ case = 'an unsupported session type'; id = 'ExecSessionTypeUnsupported'; faults = @{ sessionType = 'Port' }; command = 'echo hi' }
            @{ case = 'a payload digest mismatch'; id = 'ExecMessageCorrupt'; faults = @{ corruptAt = 1 }; command = 'echo hi' }
        ) {
            New-TestService | Out-Null
            Set-ChannelFaults $faults
            { Connect-CruddurTask -Service backend-flask -Command $command -ErrorAction Stop -InformationAction Ignore } | Should -Throw -ErrorId "$id$errorSuffix"
        }

        It 'reports an unreachable data channel within the connect timeout' {
            New-TestService | Out-Null
            $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
            $port = $listener.LocalEndpoint.Port; $listener.Stop()
            Set-ChannelFaults @{ streamPort = $port }
            $watch = [Diagnostics.Stopwatch]::StartNew()
            { Connect-CruddurTask -Service backend-flask -Command 'echo hi' -ErrorAction Stop } | Should -Throw -ErrorId "ExecChannelUnreachable$errorSuffix" -ExpectedMessage '*could not be opened*'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        }

        It 'reports a KMS key that cannot be used' {
            Invoke-RestMethod -Method Post "$($stack.EcsUrl)/_sim/kms" -ContentType 'application/json' -Body (@{ endpoint = $stack.MotoUrl } | ConvertTo-Json) | Out-Null
            Invoke-Ecs CreateCluster @{ clusterName = 'cruddur'; configuration = @{ executeCommandConfiguration = @{ kmsKeyId = '11111111-2222-3333-4444-555555555555' } } } | Out-Null
            New-TestService | Out-Null
            { Connect-CruddurTask -Service backend-flask -Command 'echo hi' -ErrorAction Stop } | Should -Throw -ErrorId "ExecKmsKeyNotAccessible$errorSuffix" -ExpectedMessage '*kms:GenerateDataKey*'
        }

        It 'refuses a task without exec enabled before opening a session' {
            New-TestService -Exec $false | Out-Null
            { Connect-CruddurTask -Service backend-flask -Command 'echo hi' -ErrorAction Stop } | Should -Throw -ErrorId "ExecNotEnabled$errorSuffix"
            Get-Sessions | Should -BeNullOrEmpty
        }
    }

    Context 'native shell' {
        It 'runs in a real terminal: raw keys reach the remote shell, Size follows resizes, and the terminal is restored' {
            New-TestService | Out-Null
            # KeyAvailable puts .NET's console in its key-reading mode first, as PSReadLine has it at an interactive prompt, so
            # the terminal is in its final state at READY and must be exactly that again after the session.
            $script = "Import-Module '$env:CRUDDUR_MODULE_PATH'; `$null = [Console]::KeyAvailable; 'READY'; Connect-CruddurTask -Service backend-flask; 'ENDED:' + `$?"
            $pwsh = if (Test-Path "$PSHOME/pwsh.dll") { [Environment]::ProcessPath, "$PSHOME/pwsh.dll" } else { [Environment]::ProcessPath }
            $steps = Join-Path $TestDrive 'steps.json'
            ConvertTo-Json -Depth 3 -InputObject @(
                @{ expect = 'READY' }, @{ snapshot = 'before' }
                # 'during' after a key has gone through: keys are read only once the terminal is raw, while the remote
                # prompt may arrive (and be shown) a moment before.
                @{ expect = '[#$] ' }
                @{ send = "echo `$((6*7))`r" }, @{ expect = '42\r\n' }, @{ snapshot = 'during' }
                # The remote terminal has the local size, and follows a resize: the agent sets its pty to each size message.
                @{ send = "stty size`r"; until = '\D40 120\r\n' }
                # Ctrl+C once the command in the foreground has printed its line (the echo of the typed line has 'sleeping;'):
                # it is then the one the Ctrl+C interrupts, before or after it becomes sleep.
                @{ send = "sh -c 'echo sleeping; exec sleep 30'`r" }, @{ expect = 'sleeping\r\n' }, @{ send = "`u{3}" }, @{ send = "echo after-`$?`r" }, @{ expect = 'after-130' }
                @{ resize = @(100, 30) }, @{ send = "stty size`r"; until = '\D30 100\r\n' }
                # Ctrl+D ends bash only at its prompt: typed while a command still runs (the output of stty can show before
                # stty has exited, and a resent stty may still be queued), it is lost, as in any terminal. So: at the prompt,
                # and again each second until the session has ended.
                @{ expect = '[#$] ' }, @{ send = "`u{4}"; until = 'ENDED:True' }, @{ snapshot = 'after' }
            ) | Set-Content $steps
            $pythonArgs = @((Join-Path $PSScriptRoot 'pty-session.py'), $steps) + $pwsh + @('-NoProfile', '-NonInteractive', '-Command', $script)

            $report = python3 @pythonArgs | ConvertFrom-Json

            $report.ok | Should -BeTrue -Because "step $($report.failed_step) must pass; the terminal showed: $($report.transcript)"
            $report.exit_code | Should -Be 0
            $raw = $report.snapshots.during.lflag
            ($raw -band ($report.echo -bor $report.icanon -bor $report.isig)) | Should -Be 0 -Because 'raw mode: no echo, no line editing, Ctrl+C is a byte for the remote shell'
            $report.snapshots.after.lflag | Should -Be $report.snapshots.before.lflag
            $report.snapshots.after.iflag | Should -Be $report.snapshots.before.iflag
            $report.snapshots.after.oflag | Should -Be $report.snapshots.before.oflag
            $channel = (Get-Channels)[0]
            $channel.sizes | Should -Be @('{"cols":120,"rows":40}', '{"cols":100,"rows":30}')
            $channel.state | Should -Be 'closed'
        }

        It 'needs a terminal and says so before opening a session' {
            New-TestService | Out-Null
            $script = "Import-Module '$env:CRUDDUR_MODULE_PATH'; try { Connect-CruddurTask -Service backend-flask -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }"
            $pwsh = if (Test-Path "$PSHOME/pwsh.dll") { [Environment]::ProcessPath, "$PSHOME/pwsh.dll" } else { [Environment]::ProcessPath }

            $out = '' | & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script

            "$out" | Should -Match "ExecNoTerminal$([regex]::Escape($errorSuffix))"
            Get-Sessions | Should -BeNullOrEmpty
        }
    }

    Context '-Check' {
        It 'passes every prerequisite of a seed-like task with the init process on (with -UsePlugin, the plugin''s too)' {
            New-TestService | Out-Null
            $checks = Connect-CruddurTask -Service backend-flask -Check -UsePlugin
            $checks | Should -HaveCount 9
            $checks[0].GetType().FullName | Should -Be 'Cruddur.Core.Exec.ExecCheck'
            $checks.Check | Should -Be @('SessionManagerPlugin', 'TaskRunning', 'PlatformVersion', 'ExecuteCommandEnabled', 'ExecuteCommandAgent', 'TaskRole', 'ReadonlyRootFilesystem', 'InitProcessEnabled', 'ContainerAwsCredentials')
            $checks | Where-Object Status -ne 'Pass' | Should -BeNullOrEmpty
            (Get-Check SessionManagerPlugin $checks).Detail | Should -Match '1\.2\.707\.0'
            (Get-Check TaskRole $checks).Detail | Should -Match 'SSMAccessPolicy'
            Get-Sessions | Should -BeNullOrEmpty
            $record | Should -Not -Exist
            ($checks | Out-String) | Should -Match 'ExecuteCommandAgent\s+Pass'
        }

        It 'checks every service a -Service pattern matches, each row naming its service and task; a connection needs one' {
            New-TestService -Name backend-flask | Out-Null
            New-TestService -Name backend-worker | Out-Null
            $checks = Connect-CruddurTask -Service back* -Check
            $checks | Should -HaveCount 18
            @($checks.Service | Select-Object -Unique) | Should -Be @('backend-flask', 'backend-worker')
            @($checks | Where-Object Service -EQ backend-worker | Select-Object -ExpandProperty TaskId -Unique) | Should -HaveCount 1
            { Connect-CruddurTask -Service back* -Command 'echo hi' -ErrorAction Stop } |
                Should -Throw -ErrorId "ExecServiceAmbiguous$errorSuffix" -ExpectedMessage '*backend-flask, backend-worker*-Check*'
            { Connect-CruddurTask -Service nomatch* -Check -ErrorAction Stop } | Should -Throw -ErrorId "ServiceNotFound$errorSuffix"
            (Connect-CruddurTask -Service *-worker -Check).Service | Select-Object -Unique | Should -Be 'backend-worker'
            Get-Sessions | Should -BeNullOrEmpty
        }

        It 'fails the plugin check with this OS''s install command, and connecting stops before ExecuteCommand' {
            New-TestService | Out-Null
            $env:PATH = $originalPath
            $plugin = Get-Check SessionManagerPlugin (Connect-CruddurTask -Service backend-flask -Check -UsePlugin)
            $plugin.Status | Should -Be 'Fail'
            $plugin.Fix | Should -Match 'dpkg -i session-manager-plugin.deb'
            { Connect-CruddurTask -Service backend-flask -UsePlugin -ErrorAction Stop } | Should -Throw -ErrorId "ExecPluginNotFound$errorSuffix" -ExpectedMessage '*not on PATH*dpkg*'
            Get-Sessions | Should -BeNullOrEmpty
        }

        It 'accepts a source build (1.2.0.0) whose probe shows it reads the session from the environment' {
            New-TestService | Out-Null
            $env:CRUDDUR_STANDIN_VERSION = '1.2.0.0'
            $plugin = Get-Check SessionManagerPlugin (Connect-CruddurTask -Service backend-flask -Check -UsePlugin)
            $plugin.Status | Should -Be 'Pass'
            $plugin.Detail | Should -Match 'probe'
            $record | Should -Not -Exist
            Connect-CruddurTask -Service backend-flask -UsePlugin
            (Get-Content $record -Raw | ConvertFrom-Json).argv[0] | Should -Be 'AWS_SSM_START_SESSION_RESPONSE'
        }

        It 'fails the plugin check for a plugin too old to take the session from the environment' {
            New-TestService | Out-Null
            $env:CRUDDUR_STANDIN_VERSION = '1.2.463.0'
            $env:CRUDDUR_STANDIN_ENVFORM = '0'
            (Get-Check SessionManagerPlugin (Connect-CruddurTask -Service backend-flask -Check -UsePlugin)).Status | Should -Be 'Fail'
            { Connect-CruddurTask -Service backend-flask -UsePlugin -ErrorAction Stop } | Should -Throw -ErrorId "ExecPluginNotFound$errorSuffix"
            $record | Should -Not -Exist
        }

        It 'fails TaskRunning for a stopped task' {
            $task = (New-TestService)[0]
            Invoke-Ecs UpdateService @{ cluster = 'cruddur'; service = 'backend-flask'; desiredCount = 0 } | Out-Null
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ((Invoke-Ecs DescribeTasks @{ cluster = 'cruddur'; tasks = @($task.taskArn) }).tasks[0].lastStatus -ne 'STOPPED') {
                if ([datetime]::UtcNow -gt $deadline) { throw 'task did not stop' }
                Start-Sleep -Milliseconds 50
            }
            $checks = Connect-CruddurTask -TaskArn $task.taskArn -Check
            (Get-Check TaskRunning $checks).Status | Should -Be 'Fail'
            (Get-Check TaskRunning $checks).Detail | Should -Match 'STOPPED'
            { Connect-CruddurTask -TaskArn $task.taskArn -ErrorAction Stop } | Should -Throw -ErrorId "ExecTaskNotRunning$errorSuffix"
        }

        It 'fails ExecuteCommandEnabled and the agent when the service never enabled exec' {
            New-TestService -Exec $false | Out-Null
            $checks = Connect-CruddurTask -Service backend-flask -Check
            (Get-Check ExecuteCommandEnabled $checks).Status | Should -Be 'Fail'
            (Get-Check ExecuteCommandEnabled $checks).Fix | Should -Match '"enableExecuteCommand": true'
            (Get-Check ExecuteCommandAgent $checks).Status | Should -Be 'Fail'
            { Connect-CruddurTask -Service backend-flask -ErrorAction Stop } | Should -Throw -ErrorId "ExecNotEnabled$errorSuffix" -ExpectedMessage '*ExecuteCommandEnabled*ExecuteCommandAgent*'
            Get-Sessions | Should -BeNullOrEmpty
        }

        It 'says the task predates exec when only the service has it, and that Deploy-CruddurService must roll new tasks' {
            New-TestService -Exec $false | Out-Null
            Invoke-Ecs UpdateService @{ cluster = 'cruddur'; service = 'backend-flask'; enableExecuteCommand = $true } | Out-Null
            $check = Get-Check ExecuteCommandEnabled (Connect-CruddurTask -Service backend-flask -Check)
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match 'predates'
            $check.Fix | Should -Match 'Deploy-CruddurService -Service backend-flask'
        }

        It 'fails TaskRole for <case>' -TestCases @(
            @{ case = 'a role deleted since the task started'; role = 'arn:aws:iam::123456789012:role/Missing'; expected = 'does not exist' }
            @{ case = 'no task role'; role = $null; expected = 'no taskRoleArn' }
            @{ case = 'a role without the four actions'; role = 'arn:aws:iam::123456789012:role/NoSsmRole'; expected = 'does not allow ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel' }
        ) {
            # ECS does not launch a task whose task role is missing, so the role goes after the task has started.
            $deleted = $role -like '*/Missing'
            if ($deleted) { Invoke-Iam create-role --role-name Missing --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}' | Out-Null }
            New-TestService -RoleArn $role | Out-Null
            if ($deleted) { Invoke-Iam delete-role --role-name Missing | Out-Null }
            $check = Get-Check TaskRole (Connect-CruddurTask -Service backend-flask -Check)
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match ([regex]::Escape($expected))
            $check.Fix | Should -Match 'SSMAccessPolicy'
            { Connect-CruddurTask -Service backend-flask -ErrorAction Stop } | Should -Throw -ErrorId "ExecPreflightFailed$errorSuffix"
            Get-Sessions | Should -BeNullOrEmpty
        }

        It 'passes TaskRole for an attached managed policy with ssmmessages:*' {
            New-TestService -RoleArn 'arn:aws:iam::123456789012:role/ManagedSsmRole' | Out-Null
            $check = Get-Check TaskRole (Connect-CruddurTask -Service backend-flask -Check)
            $check.Status | Should -Be 'Pass'
            $check.Detail | Should -Match 'SsmAll'
        }

        It 'fails ReadonlyRootFilesystem for a read-only container' {
            New-TestService -App @{ readonlyRootFilesystem = $true; linuxParameters = @{ initProcessEnabled = $true } } | Out-Null
            (Get-Check ReadonlyRootFilesystem (Connect-CruddurTask -Service backend-flask -Check)).Status | Should -Be 'Fail'
            { Connect-CruddurTask -Service backend-flask -ErrorAction Stop } | Should -Throw -ErrorId "ExecPreflightFailed$errorSuffix" -ExpectedMessage '*readonlyRootFilesystem*'
        }

        It 'warns without an init process and with AWS keys in the container' {
            New-TestService -App @{ environment = @(@{ name = 'AWS_SECRET_ACCESS_KEY'; value = 'x' }) } | Out-Null
            $checks = Connect-CruddurTask -Service backend-flask -Check
            (Get-Check InitProcessEnabled $checks).Status | Should -Be 'Warn'
            (Get-Check ContainerAwsCredentials $checks).Status | Should -Be 'Warn'
            (Get-Check ContainerAwsCredentials $checks).Detail | Should -Match 'AWS_SECRET_ACCESS_KEY'
        }
    }

    Context 'bad input' {
        It 'reports <case>' -TestCases @(
            @{ case = 'a service with no running task'; id = 'ExecNoRunningTask'; count = 0; params = @{ Service = 'backend-flask' } }
            @{ case = 'an unknown service'; id = 'ServiceNotFound'; count = 1; params = @{ Service = 'nope' } }
            @{ case = 'an unknown cluster'; id = 'ServiceClusterNotFound'; count = 1; params = @{ Service = 'backend-flask'; Cluster = 'nope' } }
            @{ case = 'an unknown task'; id = 'ExecTaskNotFound'; count = 1; params = @{ TaskArn = '0123456789abcdef0123456789abcdef' } }
            @{ case = 'an unknown container'; id = 'TaskContainerNotFound'; count = 1; params = @{ Service = 'backend-flask'; Container = 'nginx' } }
            @{ case = 'neither a service nor a task'; id = 'ExecTargetMissing'; count = 1; params = @{} }
        ) {
            New-TestService -Count $count | Out-Null
            { Connect-CruddurTask @params -ErrorAction Stop } | Should -Throw -ErrorId "$id$errorSuffix"
            { Connect-CruddurTask @params -Check -ErrorAction Stop } | Should -Throw -ErrorId "$id$errorSuffix"
            Get-Sessions | Should -BeNullOrEmpty
            $record | Should -Not -Exist
        }

        It 'asks for -Container when no container is named after the service' {
            New-TestService -Name worker -ContainerNames app, sidecar | Out-Null
            { Connect-CruddurTask -Service worker -ErrorAction Stop } | Should -Throw -ErrorId "ExecContainerAmbiguous$errorSuffix" -ExpectedMessage '*app, sidecar*-Container*'
        }
    }
}
