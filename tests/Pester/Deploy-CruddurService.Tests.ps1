BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Ecs, Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:ecsUrl = $stack.EcsUrl

    function Invoke-Sim([string] $Path, $Body) {
        if ($null -eq $Body) { return Invoke-RestMethod "$ecsUrl/_sim/$Path" }
        Invoke-RestMethod -Method Post "$ecsUrl/_sim/$Path" -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress)
    }
    function Get-SimCalls([string] $Operation) { $c = Invoke-Sim calls; if ($c.$Operation) { $c.$Operation } else { 0 } }
    function Invoke-Ecs { $out = aws ecs @args --output json; if ($LASTEXITCODE) { throw "aws ecs $args failed" }; $out | ConvertFrom-Json }

    # The seed's task definition format, with ERB placeholders for account and region; $Scenario drives the simulator's
    # stand-in containers (an empty one leaves it to the service's /_sim/scenario). -Command gives the app container a real
    # shell command (run by the simulator as a process, logging to CloudWatch Logs), -HealthCheckCommand a real CMD-SHELL
    # check, -SidecarCommand makes xray a non-essential container running that command. -NoHealthCheck and -NoSidecar vary
    # the shape the tests depend on.
    function New-TaskDefinitionFile([string] $Family, [string] $Scenario = 'healthy', [string] $Folder = $work, [switch] $NoHealthCheck, [switch] $NoSidecar,
        [string] $Command, [string] $HealthCheckCommand, [string] $SidecarCommand) {
        $path = Join-Path $Folder "$Family.json"
        $xray = if ($NoSidecar) { '' }
            elseif ($SidecarCommand) { '{ "name": "xray", "image": "public.ecr.aws/xray/aws-xray-daemon", "essential": false, "user": "1337", "entryPoint": [ "sh", "-c" ], "command": [ ' + (ConvertTo-Json $SidecarCommand) + ' ] },' }
            else { '{ "name": "xray", "image": "public.ecr.aws/xray/aws-xray-daemon", "essential": true, "user": "1337" },' }
        $healthCheck = if ($HealthCheckCommand) { '"healthCheck": { "command": [ "CMD-SHELL", ' + (ConvertTo-Json $HealthCheckCommand) + ' ], "interval": 5, "timeout": 5, "retries": 2 },' }
            elseif ($NoHealthCheck) { '' }
            else { '"healthCheck": { "command": [ "CMD-SHELL", "true" ], "interval": 30, "timeout": 5, "retries": 3, },' }
        $run = if ($Command) {
            '"entryPoint": [ "sh", "-c" ], "command": [ ' + (ConvertTo-Json $Command) + ' ],' +
            ' "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "cruddur", "awslogs-region": "<%= ENV[''AWS_DEFAULT_REGION''] %>", "awslogs-stream-prefix": "' + $Family + '" } },'
        } else { '' }
        $scenarioVariable = if ($Scenario) { "{ `"name`": `"CRUDDUR_SIM_SCENARIO`", `"value`": `"$Scenario`" }," } else { '' }
        Set-Content $path @"
{
  "family": "$Family",
  "executionRoleArn": "arn:aws:iam::<%= ENV['AWS_ACCOUNT_ID'] %>:role/CruddurServiceExecutionRole",
  "networkMode": "awsvpc", "cpu": "256", "memory": "512", "requiresCompatibilities": [ "FARGATE" ],
  "containerDefinitions": [
    $xray
    {
      "name": "$Family", "image": "registry.local/${Family}:seed", "essential": true,
      $healthCheck
      $run
      "environment": [ $scenarioVariable { "name": "AWS_DEFAULT_REGION", "value": "<%= ENV['AWS_DEFAULT_REGION'] %>" } ]
    }
  ]
}
"@
        $path
    }
    function New-ServiceDefinitionFile([string] $Service, [switch] $CircuitBreaker) {
        $path = Join-Path $work "service-$Service.json"
        $definition = [ordered]@{
            cluster = 'cruddur'; launchType = 'FARGATE'; desiredCount = 1; enableExecuteCommand = $true; serviceName = $Service; taskDefinition = $Service
            networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = @($network.Subnet); securityGroups = @($network.SecurityGroup) } }
        }
        if ($CircuitBreaker) { $definition.deploymentConfiguration = @{ deploymentCircuitBreaker = @{ enable = $true; rollback = $true } } }
        $definition | ConvertTo-Json -Depth 6 | Set-Content $path
        $path
    }
    # A running service on revision 1 of its family, created the way the seed does it (files), through the cmdlet.
    function New-RunningService([string] $Service, [switch] $CircuitBreaker, [string] $Scenario = 'healthy') {
        Deploy-CruddurService $Service -TaskDefinitionFile (New-TaskDefinitionFile $Service -Scenario $Scenario) -ServiceDefinitionFile (New-ServiceDefinitionFile $Service -CircuitBreaker:$CircuitBreaker) -ErrorAction Stop
    }
    function Get-ServiceState([string] $Service) { (Invoke-Ecs describe-services --cluster cruddur --services $Service).services[0] }
    function Get-ActiveRevisions([string] $Family) {
        @((Invoke-Ecs list-task-definitions --family-prefix $Family --status ACTIVE).taskDefinitionArns | ForEach-Object { [int]($_ -split ':')[-1] } | Sort-Object)
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Deploy-CruddurService' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Ecs create-cluster --cluster-name cruddur | Out-Null
        $script:network = Initialize-DeployPrerequisites -LogGroup cruddur # the group -Command containers log to
        $script:work = New-TestFolder
    }

    It 'creates a missing service from the service definition file, placeholders filled' {
        $d = New-RunningService backend-flask

        $d.Created | Should -BeTrue
        $d.Outcome | Should -Be 'Succeeded'
        $d.Revision | Should -Be 1
        $d.PSObject.TypeNames[0] | Should -Be 'Cruddur.Core.Deployments.Deployment'
        $td = (Invoke-Ecs describe-task-definition --task-definition backend-flask:1).taskDefinition
        $td.executionRoleArn | Should -Be 'arn:aws:iam::123456789012:role/CruddurServiceExecutionRole'
        ($td.containerDefinitions[1].environment | Where-Object name -EQ AWS_DEFAULT_REGION).value | Should -Be 'us-east-1'
        (Get-ServiceState backend-flask).runningCount | Should -Be 1
    }

    It 'creates a new service from the seed''s aws/ecs/service-backend-flask.json in the current folder when no -ServiceDefinitionFile is given' {
        $seed = New-TestFolder
        $null = New-Item -ItemType Directory (Join-Path $seed 'aws/ecs')
        Move-Item (New-ServiceDefinitionFile backend-flask) (Join-Path $seed 'aws/ecs/service-backend-flask.json')
        $definition = New-TaskDefinitionFile backend-flask
        Push-Location $seed
        try { $d = Deploy-CruddurService backend-flask -TaskDefinitionFile $definition -ErrorAction Stop } finally { Pop-Location }

        $d.Created | Should -BeTrue
        $d.Outcome | Should -Be 'Succeeded'
        (Get-ServiceState backend-flask).runningCount | Should -Be 1
        # Elsewhere, with no seed file, a missing service is still an error that names the file to pass.
        { Deploy-CruddurService frontend-react-js -TaskDefinitionFile (New-TaskDefinitionFile frontend-react-js) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceNotFound,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'
        $Error[0].Exception.Message | Should -Match 'aws/ecs/service-frontend-react-js\.json'
    }

    It 'rolls a piped image out to the service of the same name and reports success by deployment id' {
        New-RunningService backend-flask | Out-Null
        $image = [pscustomobject]@{ Repository = 'backend-flask'; ImageUri = 'registry.local/backend-flask@sha256:' + ('a' * 64) }

        $d = $image | Deploy-CruddurService

        $d.Outcome | Should -Be 'Succeeded'
        $d.RolloutState | Should -Be 'COMPLETED'
        $d.TaskDefinitionArn | Should -BeLike '*:task-definition/backend-flask:2'
        $d.PreviousTaskDefinitionArn | Should -BeLike '*:task-definition/backend-flask:1'
        $d.RunningCount | Should -Be 1
        $service = Get-ServiceState backend-flask
        $service.taskDefinition | Should -Be $d.TaskDefinitionArn
        $service.deployments.Count | Should -Be 1
        $service.deployments[0].id | Should -Be $d.DeploymentId
        $task = (Invoke-Ecs describe-tasks --cluster cruddur --tasks (Invoke-Ecs list-tasks --cluster cruddur --service-name backend-flask).taskArns).tasks[0]
        ($task.containers | Where-Object name -EQ backend-flask).image | Should -Be $image.ImageUri
        ($task.containers | Where-Object name -EQ xray).image | Should -Be 'public.ecr.aws/xray/aws-xray-daemon'
    }

    It 'never reports success when the health check fails and the circuit breaker rolls back' {
        New-RunningService backend-flask -CircuitBreaker | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'sleep 600' -HealthCheckCommand 'test -f /nonexistent/ready'

        { Deploy-CruddurService backend-flask -Image registry.local/backend-flask:bad -TaskDefinitionFile $file -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.Exception.Message | Should -Match 'ECS rolled the service back'
        $err.Exception.Message | Should -Match 'health check'
        $err.Exception.Message | Should -Match 'Task failed container health checks - container backend-flask failed its health check'
        $err.TargetObject.Outcome | Should -Be 'RolledBackByEcs'
        $err.TargetObject.RolloutState | Should -Be 'FAILED'
    }

    It 'fails a deployment whose command exits, with ECS''s reason, the exit code and the last line it wrote to stderr' {
        New-RunningService backend-flask -CircuitBreaker | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'echo starting; echo "boom: no DATABASE_URL" >&2; exit 3'

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.TargetObject.Outcome | Should -Be 'RolledBackByEcs'
        $err.Exception.Message | Should -Match 'Essential container in task exited - container backend-flask exited with code 3'
        $err.Exception.Message | Should -Match 'The last lines of container backend-flask in task [0-9a-f]{32}:[\s\S]*boom: no DATABASE_URL'
        $service = Get-ServiceState backend-flask
        $service.taskDefinition | Should -BeLike '*backend-flask:1'
        # The failed deployment's last task may still be stopping (ECS counts it running until it has stopped).
        Wait-Until { (Get-ServiceState backend-flask).runningCount -eq 1 } 'one running task after the rollback' 30
    }

    It 'succeeds when a non-essential sidecar exits while the essential container runs on' {
        New-RunningService backend-flask | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'sleep 600' -SidecarCommand 'echo "xray: no region" >&2; exit 2'

        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile $file -StableFor 1 -ErrorAction Stop

        $d.Outcome | Should -Be 'Succeeded'
        $task = (Invoke-Ecs describe-tasks --cluster cruddur --tasks (Invoke-Ecs list-tasks --cluster cruddur --service-name backend-flask).taskArns).tasks[0]
        $task.lastStatus | Should -Be 'RUNNING'
        $task.taskDefinitionArn | Should -BeLike '*backend-flask:2'
        ($task.containers | Where-Object name -EQ xray).exitCode | Should -Be 2
        ($task.containers | Where-Object name -EQ backend-flask).lastStatus | Should -Be 'RUNNING'
    }

    It 'rolls back itself after a crash loop without circuit breaker times out, and the previous revision runs' {
        New-RunningService backend-flask | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1'

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -Timeout 3 -ErrorAction Stop -WarningVariable warnings } |
            Should -Throw -ErrorId 'DeployTimedOut,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.TargetObject.Outcome | Should -Be 'RolledBack'
        $err.Exception.Message | Should -Match 'did not complete within 00:00:03'
        $err.Exception.Message | Should -Match 'Essential container in task exited'
        $err.Exception.Message | Should -Match 'exited with code 1'
        $err.Exception.Message | Should -Match 'rolled back to backend-flask:1'
        $service = Get-ServiceState backend-flask
        $service.taskDefinition | Should -BeLike '*backend-flask:1'
        $service.deployments.Count | Should -Be 1
        $service.deployments[0].rolloutState | Should -Be 'COMPLETED'
        $service.runningCount | Should -Be 1
    }

    It 'gives its own rollback -RollbackTimeout and says the rollback is still running, not that nothing was rolled back' {
        New-RunningService backend-flask -Scenario slow | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1'

        # Revision 1's tasks are slow (1.5 s to start), so the rollback to it cannot complete within its 1 s timeout.
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -Timeout 2 -RollbackTimeout 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployTimedOut,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.TargetObject.Outcome | Should -Be 'RollbackTimedOut'
        $err.Exception.Message | Should -Match 'the rollback to backend-flask:1 had not completed in the time given for the rollback; ECS carries on with it[\s\S]*A larger -Timeout \(or -RollbackTimeout for a rollback\) waits longer'
        $err.Exception.Message | Should -Not -Match 'nothing was rolled back|failed too'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1' -Because 'the rollback was started'
    }

    It 'reports a rollback that fails too as RollbackFailed, not RolledBack and not "nothing was rolled back"' {
        New-RunningService backend-flask -Scenario '' | Out-Null   # revision 1 runs whatever the service's scenario says
        # Every task of the service (old revision and new) runs 40 simulated seconds (0.8 s), then exits: each rollout
        # completes, and its stability window sees the tasks stop.
        Invoke-Sim scenario @{ cluster = 'cruddur'; service = 'backend-flask'; scenario = 'exit-after:40' } | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Scenario ''

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -Image registry.local/backend-flask:v2 -StableFor 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.TargetObject.Outcome | Should -Be 'RollbackFailed'
        $err.Exception.Message | Should -Match 'the rollback to backend-flask:1 failed too'
        $err.Exception.Message | Should -Not -Match 'the service was rolled back|nothing was rolled back'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1'
    }

    It 'fails and rolls back a deployment whose tasks exit after it completed, <Shape>, with their stoppedReason and exit code' -ForEach @(
        @{ Shape = 'one container, no health check'; NoSidecar = $true }
        @{ Shape = 'two containers, no health check'; NoSidecar = $false }
    ) {
        New-RunningService backend-flask -CircuitBreaker | Out-Null
        # Each task runs 0.8 s (40 simulated seconds): ECS completes the rollout before that, and the circuit breaker never sees it.
        $file = New-TaskDefinitionFile backend-flask -Command 'sleep 0.8; echo "lost the database" >&2; exit 1' -NoHealthCheck -NoSidecar:$NoSidecar

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -StableFor 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $err = $Error[0]
        $err.TargetObject.Outcome | Should -Be 'RolledBack'
        $err.TargetObject.RolloutState | Should -Be 'COMPLETED' -Because 'ECS itself considered the rollout done'
        $err.Exception.Message | Should -Match 'stopped within [\d.]+ s of its completion \(stability window 5 s\)'
        $err.Exception.Message | Should -Match 'Essential container in task exited'
        $err.Exception.Message | Should -Match 'container backend-flask exited with code 1'
        $err.Exception.Message | Should -Match 'lost the database'
        $err.Exception.Message | Should -Match 'rolled back to backend-flask:1'
        $service = Get-ServiceState backend-flask
        $service.taskDefinition | Should -BeLike '*backend-flask:1'
        $service.deployments.Count | Should -Be 1
    }

    It 'succeeds after a quiet stability window, showing the time left, and no sooner' {
        New-RunningService backend-flask | Out-Null
        $recorder, $runspace, $ps = New-RecordedPipeline 'Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -StableFor 2'
        try {
            $listTasks = Get-SimCalls ListTasks
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $d = $ps.Invoke()
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2
            $d.Outcome | Should -Be 'Succeeded'
            @($ps.Streams.Progress | Where-Object StatusDescription -Match '^COMPLETED, stability window: 1/1 running, [\d.]+ s left$') |
                Should -Not -BeNullOrEmpty
            Get-SimCalls ListTasks | Should -BeGreaterThan $listTasks -Because 'the window looks for stopped tasks of the deployment'
        } finally { $ps.Dispose(); $runspace.Dispose() }
    }

    It 'shows the service events of Deploy and Undo by default, each with ECS''s time; -InformationAction SilentlyContinue quiets them' {
        New-RunningService backend-flask | Out-Null
        function Get-Shown([string] $Script) {
            $recorder, $runspace, $ps = New-RecordedPipeline "$Script; `$collected"
            try {
                $out = $ps.Invoke()
                $ps.HadErrors | Should -BeFalse -Because ($ps.Streams.Error -join "`n")
                [pscustomobject]@{ Shown = @($recorder.Lines); Collected = @($out | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }) }
            } finally { $ps.Dispose(); $runspace.Dispose() }
        }
        # What ECS itself says happened, with its own times, as the lines must show them.
        function Format-Event($e) {   # the aws CLI gives createdAt in epoch seconds
            $at = [datetimeoffset]::FromUnixTimeMilliseconds([long]([double]$e.createdAt * 1000))
            "$($at.ToString('u', [cultureinfo]::InvariantCulture)) cruddur/backend-flask: $($e.message)"
        }
        function Get-EventLine([string] $Message) { Format-Event ((Get-ServiceState backend-flask).events | Where-Object message -Like $Message | Select-Object -First 1) }
        $before = Format-Event (Get-ServiceState backend-flask).events[0]

        $deploy = Get-Shown 'Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -StableFor 0 -InformationVariable collected | Out-Null'
        $deploy.Shown | Should -Contain (Get-EventLine '*has reached a steady state.')
        $deploy.Shown | Should -Contain (Get-EventLine '*has started 1 tasks*')
        $deploy.Shown | Should -Not -Contain $before -Because 'events from before the deploy are not news'

        $undo = Get-Shown 'Undo-CruddurDeployment backend-flask -Force -InformationVariable collected | Out-Null'
        $undo.Shown | Should -Contain (Get-EventLine '*has reached a steady state.')
        $undo.Shown.Count | Should -BeGreaterThan 0

        $quiet = Get-Shown 'Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v3 -StableFor 0 -InformationAction SilentlyContinue -InformationVariable collected | Out-Null'
        $quiet.Shown | Should -BeNullOrEmpty
        $quiet.Collected.Tags | Should -Contain 'ServiceEvent' -Because '-InformationVariable still collects them'
        $quiet.Collected.MessageData | Should -Contain (Get-EventLine '*has reached a steady state.')
    }

    It 'refuses a negative -StableFor before registering anything' {
        New-RunningService backend-flask | Out-Null
        { Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -StableFor -1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'
        Get-ActiveRevisions backend-flask | Should -Be @(1)
    }

    It 'leaves a failed service alone with -NoRollback' {
        New-RunningService backend-flask | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1'

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -Timeout 2 -NoRollback -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployTimedOut,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $Error[0].TargetObject.Outcome | Should -Be 'Failed'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:2'
    }

    It 'checks the cluster before anything else: a typo names the region and the clusters there are, and registers nothing' {
        $file = New-TaskDefinitionFile backend-flask

        { Deploy-CruddurService backend-flask -Cluster crudur -TaskDefinitionFile $file -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceClusterNotFound,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $Error[0].Exception.Message | Should -Match "Cluster 'crudur' not found in us-east-1 \(clusters here: cruddur\)"
        Get-SimCalls RegisterTaskDefinition | Should -Be 0
        Get-SimCalls CreateService | Should -Be 0
    }

    It 'refuses an unknown service without a service definition file, registering nothing' {
        { Deploy-CruddurService backend-flask -Image x -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceNotFound,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $Error[0].Exception.Message | Should -Match '-ServiceDefinitionFile'
        Get-SimCalls RegisterTaskDefinition | Should -Be 0
    }

    It 'reports malformed JSON with line and property path, registering nothing' {
        New-RunningService backend-flask | Out-Null
        $bad = Join-Path $work 'bad.json'
        Set-Content $bad "{`n  `"family`": `"backend-flask`",`n  `"containerDefinitions`": [`n    { `"name`": `"backend-flask`" `"image`": `"x`" }`n  ]`n}"

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $bad -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployDefinitionInvalidJson,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $Error[0].Exception.Message | Should -Match ([regex]::Escape("bad.json:4:"))
        $Error[0].Exception.Message | Should -Match ([regex]::Escape('$.containerDefinitions[0].name'))
        Get-SimCalls RegisterTaskDefinition | Should -Be 1
    }

    It 'reports fields ECS would reject before registering' {
        New-RunningService backend-flask | Out-Null
        $file = New-TaskDefinitionFile backend-flask
        (Get-Content $file -Raw) -replace '"cpu": "256",', '"cpuUnits": "256",' | Set-Content $file

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployDefinitionInvalid,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $Error[0].Exception.Message | Should -Match "'cpuUnits' is not a task definition field"
        Get-SimCalls RegisterTaskDefinition | Should -Be 1
    }

    It 'refuses an unknown container name, naming the ones there are' {
        New-RunningService backend-flask | Out-Null

        { Deploy-CruddurService backend-flask -Image x -ContainerName backend -ErrorAction Stop } |
            Should -Throw -ErrorId 'TaskContainerNotFound,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'

        $Error[0].Exception.Message | Should -Match 'xray, backend-flask'
        Get-SimCalls RegisterTaskDefinition | Should -Be 1
        Get-SimCalls UpdateService | Should -Be 0
    }

    It 'retries throttled DescribeServices and RegisterTaskDefinition and registers one revision only' {
        New-RunningService backend-flask | Out-Null
        Invoke-Sim faults @{ operation = 'DescribeServices'; kind = 'Throttling'; count = 3 } | Out-Null
        Invoke-Sim faults @{ operation = 'RegisterTaskDefinition'; kind = 'Throttling'; count = 2 } | Out-Null

        $d = Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2

        $d.Outcome | Should -Be 'Succeeded'
        $d.Revision | Should -Be 2
        Get-SimCalls RegisterTaskDefinition | Should -Be 4 # 1 for the creation, 2 throttled, 1 accepted
        Get-ActiveRevisions backend-flask | Should -Be @(1, 2)
    }

    It 'does not retry a registration that failed with a server error, and updates nothing' {
        New-RunningService backend-flask | Out-Null
        Invoke-Sim faults @{ operation = 'RegisterTaskDefinition'; kind = 'ServerError'; count = 1 } | Out-Null

        { Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'AwsServiceError,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand' -ExpectedMessage '*ServerException*'

        Get-SimCalls RegisterTaskDefinition | Should -Be 2
        Get-SimCalls UpdateService | Should -Be 0
    }

    It 'deploys two services together and watches them in one loop' {
        New-RunningService backend-flask | Out-Null
        New-RunningService frontend-react-js | Out-Null
        $before = Get-SimCalls DescribeServices
        $registered = Get-SimCalls RegisterTaskDefinition

        $d = Deploy-CruddurService backend-flask, frontend-react-js

        $d.Service | Should -Be @('backend-flask', 'frontend-react-js')
        $d.Outcome | Should -Be @('Succeeded', 'Succeeded')
        # Nothing changed in their definitions: each runs its revision again, in a new deployment, and none is registered.
        $d.Revision | Should -Be @(1, 1)
        Get-SimCalls RegisterTaskDefinition | Should -Be $registered
        (Get-ServiceState frontend-react-js).deployments[0].id | Should -Be $d[1].DeploymentId
        # Both are described in the same calls: one before deploying, then one per poll round for the two.
        $rounds = (Get-SimCalls DescribeServices) - $before
        $rounds | Should -BeLessThan 40
        (Get-ServiceState frontend-react-js).taskDefinition | Should -BeLike '*frontend-react-js:1'
    }

    It 'releases six services under one bar from the start, and ends with only the ones that need attention and a count of the rest' {
        $names = 1..6 | ForEach-Object { "svc$_" }
        foreach ($name in $names) { New-RunningService $name -CircuitBreaker:($name -eq 'svc4') | Out-Null }
        $folder = New-TestFolder
        # A new revision for each (its own health check command), svc4's exiting at once.
        foreach ($name in $names) { New-TaskDefinitionFile $name -Folder $folder -HealthCheckCommand 'true' -Command $(if ($name -eq 'svc4') { 'echo "boom" >&2; exit 3' }) | Out-Null }
        function Invoke-Release {
            $recorder, $runspace, $ps = New-RecordedPipeline "Deploy-CruddurService $($names -join ',') -TaskDefinitionFile '$folder' -StableFor 0"
            try {
                $out = $ps.Invoke()
                [pscustomobject]@{
                    Deployments = @($out); Shown = @($recorder.Lines); Warnings = @($ps.Streams.Warning.Message); Errors = @($ps.Streams.Error)
                    Bar = @($ps.Streams.Progress | Where-Object ActivityId -eq 100)
                }
            } finally { $ps.Dispose(); $runspace.Dispose() }
        }

        $release = Invoke-Release

        $release.Bar.Activity | Select-Object -Unique | Should -Be 'Deploying 6 services'
        $release.Bar.StatusDescription | Should -Contain '5 to start, 1 registered' -Because 'the first revision is registered before its service is updated'
        $release.Bar.StatusDescription | Should -Contain '5 to start, 1 rolling'
        $release.Bar.StatusDescription | Should -Contain '1 registered, 5 rolling'
        @($release.Errors.FullyQualifiedErrorId) | Should -Be @('DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand')
        $release.Warnings | Should -Be (@(
            '1 of 6 services need attention (each failed one has its own error):'
            '  cruddur/svc4 (svc4:2): RolledBackByEcs'
            'The rest: 5 succeeded.') -join [Environment]::NewLine)
        ($release.Deployments | Where-Object Outcome -eq Succeeded).Service | Should -Be @('svc1', 'svc2', 'svc3', 'svc5', 'svc6')

        New-TaskDefinitionFile svc4 -Folder $folder -HealthCheckCommand 'true' | Out-Null
        $again = Invoke-Release

        $again.Warnings | Should -BeNullOrEmpty
        $again.Errors | Should -BeNullOrEmpty
        $again.Shown | Should -Contain 'Released 6 services: 6 succeeded.' -Because 'the summary is shown by default, as the service events are'
    }

    It 'releases services of several clusters together, the cluster bound from each piped object' {
        Invoke-Ecs create-cluster --cluster-name cruddur-b | Out-Null
        New-RunningService backend-flask | Out-Null
        Deploy-CruddurService frontend-react-js -Cluster cruddur-b -TaskDefinitionFile (New-TaskDefinitionFile frontend-react-js) -ServiceDefinitionFile (New-ServiceDefinitionFile frontend-react-js) -ErrorAction Stop | Out-Null

        $d = @((Get-CruddurService -Cluster cruddur -Service backend-flask), [pscustomobject]@{ Service = 'frontend-react-js'; Cluster = 'cruddur-b' }) | Deploy-CruddurService

        @($d | ForEach-Object { "$($_.Cluster)/$($_.Service) $($_.Outcome)" }) | Should -Be @('cruddur/backend-flask Succeeded', 'cruddur-b/frontend-react-js Succeeded')
        (Invoke-Ecs describe-services --cluster cruddur-b --services frontend-react-js).services[0].deployments[0].id | Should -Be $d[1].DeploymentId
        (Get-ServiceState backend-flask).deployments[0].id | Should -Be $d[0].DeploymentId
    }

    It 'shows the task definition diff under -WhatIf and changes nothing' {
        New-RunningService backend-flask | Out-Null
        $transcript = Join-Path $work 'whatif.txt'

        Start-Transcript $transcript | Out-Null
        try { Deploy-CruddurService backend-flask -Image registry.local/backend-flask@sha256:feed -WhatIf } finally { Stop-Transcript | Out-Null }

        $text = Get-Content $transcript -Raw
        $text | Should -Match ([regex]::Escape('~ containerDefinitions[backend-flask].image: "registry.local/backend-flask:seed" -> "registry.local/backend-flask@sha256:feed"'))
        $text | Should -Match 'cruddur/backend-flask'
        Get-SimCalls RegisterTaskDefinition | Should -Be 1
        Get-SimCalls UpdateService | Should -Be 0
        Get-ActiveRevisions backend-flask | Should -Be @(1)
    }

    It 'keeps the newest revisions with -KeepRevisions, but never one a service still uses' {
        New-RunningService backend-flask | Out-Null
        # An awsvpc task definition needs the service's network, as ECS (and the deploy's checks) require.
        Invoke-Ecs create-service --cluster cruddur --service-name backend-flask-canary --task-definition backend-flask:1 --desired-count 1 `
            --network-configuration "awsvpcConfiguration={subnets=[$($network.Subnet)],securityGroups=[$($network.SecurityGroup)],assignPublicIp=ENABLED}" | Out-Null
        Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 | Out-Null
        Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v3 | Out-Null

        $d = Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v4 -KeepRevisions 1

        $d.Revision | Should -Be 4
        Get-ActiveRevisions backend-flask | Should -Be @(1, 4)
    }

    It 'keeps with -KeepRevisions the revisions of a deployment still in flight (PRIMARY :2 rolling out over ACTIVE :1)' {
        New-RunningService backend-flask | Out-Null
        # An awsvpc task definition needs the service's network, as ECS (and the deploy's checks) require.
        Invoke-Ecs create-service --cluster cruddur --service-name backend-flask-canary --task-definition backend-flask:1 --desired-count 1 `
            --network-configuration "awsvpcConfiguration={subnets=[$($network.Subnet)],securityGroups=[$($network.SecurityGroup)],assignPublicIp=ENABLED}" | Out-Null
        # Revision 2 never becomes healthy and there is no circuit breaker: the canary stays mid-rollout.
        Deploy-CruddurService backend-flask-canary -TaskDefinitionFile (New-TaskDefinitionFile backend-flask -Command 'sleep 600' -HealthCheckCommand 'exit 1') -NoWait | Out-Null
        $canary = Get-ServiceState backend-flask-canary
        $canary.taskDefinition | Should -BeLike '*backend-flask:2'
        @($canary.deployments | ForEach-Object { ($_.taskDefinition -split ':')[-1] }) | Should -Be @('2', '1')

        $d = Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v3 -KeepRevisions 1

        $d.Revision | Should -Be 3
        Get-ActiveRevisions backend-flask | Should -Be @(1, 2, 3)
    }

    It 'stops watching within a second on Ctrl+C and says the rollout continues in ECS' {
        New-RunningService backend-flask | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1'
        $recorder, $runspace, $ps = New-RecordedPipeline "Deploy-CruddurService backend-flask -TaskDefinitionFile '$file'"
        $async = $ps.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($ps.Streams.Progress.Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $ps.Streams.Progress.Count | Should -BeGreaterOrEqual 2 -Because 'the watch has started'

            $ps.Stop()
            $stopped = [Diagnostics.Stopwatch]::StartNew()
            # Depending on how far the engine got with the stop, the warning still reaches the warning stream or only the host.
            function Get-Told { @($recorder.Warnings) + @($ps.Streams.Warning | ForEach-Object Message) }
            while (-not (Get-Told) -and $stopped.Elapsed.TotalSeconds -lt 5) { Start-Sleep -Milliseconds 20 }
            $told = $stopped.Elapsed.TotalSeconds
            $calls = Get-SimCalls DescribeServices
            Start-Sleep -Milliseconds 1500

            $told | Should -BeLessThan 1 -Because 'the watch ends within a second of Ctrl+C'
            Get-SimCalls DescribeServices | Should -Be $calls -Because 'nothing polls ECS after the stop'
            $async.IsCompleted | Should -BeTrue
            $warning = (Get-Told) -join "`n"
            $warning | Should -Match 'backend-flask:2 \(deployment ecs-svc/\d+\) continues in ECS'
            $warning | Should -Match 'Get-CruddurService -Cluster cruddur -Service backend-flask'
            (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:2' -Because 'the rollout was left to ECS, not rolled back'
        } finally { $ps.Dispose(); $runspace.Dispose() }
    }

    It 'cancels the watch and waits for it when a write is refused (-ProgressAction Stop), so nothing runs on' {
        New-RunningService backend-flask | Out-Null
        $file = New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1'

        # The first progress record of the watch throws on the pipeline thread; a watch left running would time out after
        # 1 s and roll the service back to revision 1.
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $file -Timeout 1 -ProgressAction Stop } |
            Should -Throw -ExceptionType ([System.Management.Automation.ActionPreferenceStopException])
        $calls = Get-SimCalls DescribeServices
        $updates = Get-SimCalls UpdateService
        Start-Sleep -Milliseconds 2500

        Get-SimCalls DescribeServices | Should -Be $calls -Because 'the worker ended before the cmdlet returned'
        Get-SimCalls UpdateService | Should -Be $updates -Because 'no rollback ran after the cmdlet returned'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:2'
    }

    It 'changes nothing when stopped at the -Confirm prompt, even if the prompt is answered Yes afterwards' {
        New-RunningService backend-flask | Out-Null
        $registered = Get-SimCalls RegisterTaskDefinition
        $recorder, $runspace, $ps = New-RecordedPipeline "Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -Confirm"
        $async = $ps.BeginInvoke()
        try {
            $recorder.Prompted.Wait([TimeSpan]::FromSeconds(30)) | Should -BeTrue -Because 'the deploy asks before it registers'

            $stop = $ps.BeginStop($null, $null)
            Wait-Until { $ps.InvocationStateInfo.State -ne 'Running' } 'the pipeline to start stopping' | Out-Null
            $stopped = [Diagnostics.Stopwatch]::StartNew()
            $recorder.Answer(0)
            $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10)) | Should -BeTrue
            $ps.EndStop($stop)

            $stopped.Elapsed.TotalSeconds | Should -BeLessThan 2 -Because 'the worker waiting for the answer woke at the stop'
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Get-SimCalls RegisterTaskDefinition | Should -Be $registered
            Get-SimCalls UpdateService | Should -Be 0
            (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1'
        } finally { $recorder.Answer(2); $ps.Dispose(); $runspace.Dispose() }
    }
}

Describe 'Undo-CruddurDeployment' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Ecs create-cluster --cluster-name cruddur | Out-Null
        $script:network = Initialize-DeployPrerequisites -LogGroup cruddur # the group -Command containers log to
        $script:work = New-TestFolder
    }

    It 'rolls the service back to the previous revision and waits for it' {
        New-RunningService backend-flask | Out-Null
        $deployed = Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2

        $d = $deployed | Undo-CruddurDeployment -Confirm:$false

        $d.TaskDefinitionArn | Should -BeLike '*backend-flask:1'
        $d.PreviousTaskDefinitionArn | Should -BeLike '*backend-flask:2'
        $d.Outcome | Should -Be 'Succeeded'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1'
    }

    It 'takes -TaskDefinition as family:revision, the form its messages suggest' {
        New-RunningService backend-flask | Out-Null
        Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -ErrorAction Stop | Out-Null

        $d = Undo-CruddurDeployment backend-flask -TaskDefinition backend-flask:1 -Confirm:$false -ErrorAction Stop

        $d.TaskDefinitionArn | Should -BeLike 'arn:aws:ecs:*:task-definition/backend-flask:1'
        $d.Outcome | Should -Be 'Succeeded'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1'
    }

    It 'refuses a -TaskDefinition that is not an active revision, changing nothing' {
        New-RunningService backend-flask | Out-Null

        { Undo-CruddurDeployment backend-flask -TaskDefinition backend-flask:9 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'TaskDefinitionNotFound,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
        Get-SimCalls UpdateService | Should -Be 0
    }

    It 'goes back to the last release that completed, past a revision that failed and was rolled back' {
        New-RunningService backend-flask -CircuitBreaker | Out-Null
        { Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand' # :2 crashes; ECS goes back to :1
        Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v3 -ErrorAction Stop | Out-Null

        $d = Undo-CruddurDeployment backend-flask -Confirm:$false -ErrorAction Stop

        $d.TaskDefinitionArn | Should -BeLike '*backend-flask:1' -Because 'backend-flask:2 never completed'
        $d.PreviousTaskDefinitionArn | Should -BeLike '*backend-flask:3'
        $d.Outcome | Should -Be 'Succeeded'
        # :3 was just undone and :2 never completed: there is no good release left to go back to.
        { Undo-CruddurDeployment backend-flask -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployNoPreviousRevision,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
    }

    It 'takes a piped deployment back to the revision that deployment replaced' {
        New-RunningService backend-flask | Out-Null
        $second = Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -ErrorAction Stop
        Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v3 -ErrorAction Stop | Out-Null

        $d = $second | Undo-CruddurDeployment -Confirm:$false -ErrorAction Stop

        $d.TaskDefinitionArn | Should -BeLike '*backend-flask:1'
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1'
    }

    It 'watches the rollback with its own -Timeout and says honestly that it goes on in ECS' {
        New-RunningService backend-flask | Out-Null
        Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask -Command 'echo "boom: no DATABASE_URL" >&2; exit 1') -NoWait -ErrorAction Stop | Out-Null
        Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -ErrorAction Stop | Out-Null

        { Undo-CruddurDeployment backend-flask -TaskDefinition backend-flask:2 -Timeout 2 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployTimedOut,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'

        $message = $Error[0].Exception.Message
        $message | Should -Match 'Rolling cruddur/backend-flask back from backend-flask:3 to backend-flask:2 did not complete within 00:00:02'
        $message | Should -Match 'ECS carries on with it'
        $message | Should -Not -Match 'nothing was rolled back|Deploying'
    }

    It 'says when no other release is known to have completed' {
        New-RunningService backend-flask | Out-Null

        { Undo-CruddurDeployment backend-flask -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployNoPreviousRevision,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
        Get-SimCalls UpdateService | Should -Be 0
    }

    It 'rolls back without a prompt with -Force, as AWS.Tools does, and only tells with -Force -WhatIf' {
        New-RunningService backend-flask | Out-Null
        Deploy-CruddurService backend-flask -Image registry.local/backend-flask:v2 -ErrorAction Stop | Out-Null
        $calls = Get-SimCalls UpdateService

        Undo-CruddurDeployment backend-flask -Force -WhatIf
        Get-SimCalls UpdateService | Should -Be $calls

        # This session cannot prompt (-NonInteractive): without -Force the high-impact undo would fail to ask.
        $d = Undo-CruddurDeployment backend-flask -Force -ErrorAction Stop
        $d.TaskDefinitionArn | Should -BeLike '*backend-flask:1'
    }

    It 'rolls back every service a -Service pattern matches, each on its own; -TaskDefinition needs one service' {
        foreach ($name in 'backend-flask', 'backend-worker') {
            New-RunningService $name | Out-Null
            Deploy-CruddurService $name -Image "registry.local/${name}:v2" -ErrorAction Stop | Out-Null
        }

        { Undo-CruddurDeployment back* -TaskDefinition backend-flask:1 -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployAmbiguousInput,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
        { Undo-CruddurDeployment nomatch* -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceNotFound,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
        Get-SimCalls UpdateService | Should -Be 2 -Because 'only the two deploys updated a service so far'

        $d = Undo-CruddurDeployment back* -Force -ErrorAction Stop
        $d.Service | Should -Be @('backend-flask', 'backend-worker')
        $d.Outcome | Should -Be @('Succeeded', 'Succeeded')
        (Get-ServiceState backend-flask).taskDefinition | Should -BeLike '*backend-flask:1'
        (Get-ServiceState backend-worker).taskDefinition | Should -BeLike '*backend-worker:1'
    }

    It 'checks the cluster first and names the clusters there are' {
        { Undo-CruddurDeployment backend-flask -Cluster crudur -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceClusterNotFound,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
        $Error[0].Exception.Message | Should -Match 'not found in us-east-1 \(clusters here: cruddur\)'
    }

    It 'refuses a service that does not exist' {
        { Undo-CruddurDeployment nope -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceNotFound,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
    }
}

Describe 'Get-CruddurService' {
    BeforeAll {
        Reset-CruddurStack $stack
        Invoke-Ecs create-cluster --cluster-name cruddur | Out-Null
        $script:network = Initialize-DeployPrerequisites -LogGroup cruddur # the group -Command containers log to
        $script:work = New-TestFolder
        New-RunningService backend-flask | Out-Null
        New-RunningService frontend-react-js | Out-Null
    }

    It 'lists every service of the cluster with deployments, events and tasks' {
        $services = Get-CruddurService

        $services.Service | Should -Be @('backend-flask', 'frontend-react-js')
        $backend = $services[0]
        $backend.PSObject.TypeNames[0] | Should -Be 'Cruddur.Core.Deployments.ServiceStatus'
        $backend.Revision | Should -Be 1
        $backend.RolloutState | Should -Be 'COMPLETED'
        $backend.RunningCount | Should -Be 1
        $backend.Events[0].Message | Should -Match 'steady state'
        $backend.Tasks.Count | Should -Be 1
        $backend.Tasks[0].Cluster | Should -Be 'cruddur'
        $backend.Tasks[0].Service | Should -Be 'backend-flask'
        $backend.Tasks[0].TaskArn | Should -BeLike 'arn:aws:ecs:*:task/cruddur/*'
        $backend.Tasks[0].Containers.Name | Should -Be @('xray', 'backend-flask')
        ($backend | Format-Table | Out-String) | Should -Match 'backend-flask\s+1\s+COMPLETED'
    }

    It 'says a cluster is not there instead of passing on ECS''s message, for named services and for all' {
        { Get-CruddurService backend-flask -Cluster crudur -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceClusterNotFound,Cruddur.PowerShell.Commands.GetCruddurServiceCommand'
        { Get-CruddurService -Cluster crudur -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceClusterNotFound,Cruddur.PowerShell.Commands.GetCruddurServiceCommand'
        $Error[0].Exception.Message | Should -Match "Cluster 'crudur' not found in us-east-1 \(clusters here: cruddur\)"
    }

    It 'takes wildcard service names; a pattern that matches nothing is no error' {
        (Get-CruddurService -Service back* -ErrorAction Stop).Service | Should -Be 'backend-flask'
        (Get-CruddurService -Service *-* -ErrorAction Stop).Service | Should -Be @('backend-flask', 'frontend-react-js')
        Get-CruddurService -Service nothing* -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'completes task definitions, containers, tasks, clusters and profiles from what is there' {
        function Complete([string] $Line) { @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText) }

        Complete 'Undo-CruddurDeployment backend-flask -TaskDefinition ' | Should -Be @('backend-flask:1')
        Complete 'Undo-CruddurDeployment -TaskDefinition frontend-react-js:' | Should -Be @('frontend-react-js:1')
        Complete 'Deploy-CruddurService backend-flask -ContainerName ' | Should -Be @('backend-flask', 'xray')
        Complete 'Connect-CruddurTask -Service backend-flask -Container x' | Should -Be @('xray')
        $tasks = @(Complete 'Connect-CruddurTask -Service backend-flask -TaskArn ')
        $tasks | Should -HaveCount 1
        $tasks[0] | Should -Match '^[0-9a-f]{32}$'
        Complete 'Connect-CruddurTask -Cluster cru' | Should -Be @('cruddur')
        Complete 'Get-CruddurService -ProfileName ' | Should -Contain 'default'
    }

    It 'reports a missing service and still shows the others' {
        $result = Get-CruddurService backend-flask, nope -ErrorVariable errors -ErrorAction SilentlyContinue

        $result.Service | Should -Be 'backend-flask'
        $errors[0].FullyQualifiedErrorId | Should -Be 'ServiceNotFound,Cruddur.PowerShell.Commands.GetCruddurServiceCommand'
    }
}
