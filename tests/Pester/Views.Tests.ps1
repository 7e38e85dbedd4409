# The module's default views as a user in an 80-column terminal sees them: every useful column is there, whole, with
# values that are not cut; Format-List * shows nested values as words, not .NET type names.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $core = (Get-Command Deploy-CruddurService).OutputType[0].Type.Assembly # the core loads into the module's own context
    function New-Core([string] $Type, [object[]] $Arguments) { [Activator]::CreateInstance($core.GetType("Cruddur.Core.$Type", $true), $Arguments) }
    # A List<T> of core objects, for the IReadOnlyList<T> properties.
    function New-List([string] $Type, [object[]] $Items) {
        $list = [Activator]::CreateInstance([System.Collections.Generic.List`1].MakeGenericType($core.GetType("Cruddur.Core.$Type", $true)))
        foreach ($i in $Items) { $list.Add($i) }
        , $list
    }
    # Types whose constructors are internal: a property bag with the type's name selects the same view.
    function New-Shaped([string] $Type, [hashtable] $Properties) {
        $o = [pscustomobject]$Properties
        $o.PSObject.TypeNames.Insert(0, "Cruddur.Core.$Type")
        $o
    }
    function Show-Table($InputObject) { @($InputObject | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_.Trim() }) }
    # The header line and the first row of a default table at 80 columns, with runs of spaces squeezed to one.
    function Get-TableLines($InputObject) {
        $lines = Show-Table $InputObject
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        @{ Header = $lines[0] -replace '\s+', ' '; Row = $lines[2] -replace '\s+', ' '; All = $lines -join "`n" }
    }

    $arn = 'arn:aws:ecs:us-east-1:123456789012:task-definition/frontend-react-js'
    $taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/cruddur/0123456789abcdef0123456789abcdef'
    $containers = New-List 'Deployments.TaskContainer' @(New-Core 'Deployments.TaskContainer' @('frontend-react-js', 'img', 'RUNNING', 'HEALTHY', $null))
    $task = New-Core 'Deployments.ServiceTask' @('cruddur', 'frontend-react-js', $taskArn, "${arn}:12", 'RUNNING', 'HEALTHY', [DateTimeOffset]::UtcNow, $containers)
    $now = [DateTimeOffset]::UtcNow
    $primary = New-Core 'Deployments.ServiceDeployment' @('ecs-svc/1', 'PRIMARY', "${arn}:12", 'COMPLETED', $null, 1, 1, 0, 0, $now)
    $event = New-Core 'Deployments.ServiceEvent' @($now, '(service frontend-react-js) has reached a steady state.')
    $serviceType = $core.GetType('Cruddur.Core.Deployments.ServiceStatus')
    $status = [Activator]::CreateInstance($serviceType)
    foreach ($p in @{ Cluster = 'cruddur'; Service = 'frontend-react-js'; Status = 'ACTIVE'; TaskDefinitionArn = "${arn}:12"; DesiredCount = 1; RunningCount = 1 }.GetEnumerator()) {
        $serviceType.GetProperty($p.Key).SetValue($status, $p.Value)
    }
    $serviceType.GetProperty('Deployments').SetValue($status, (New-List 'Deployments.ServiceDeployment' @($primary)))
}

Describe 'Default tables at 80 columns' {
    It 'Deploy-CruddurService: service, revision, previous, outcome, running and duration, none wrapped' {
        $type = $core.GetType('Cruddur.Core.Deployments.Deployment')
        $d = [Activator]::CreateInstance($type)
        foreach ($p in @{ Cluster = 'cruddur'; Service = 'frontend-react-js'; TaskDefinitionArn = "${arn}:12"; PreviousTaskDefinitionArn = "${arn}:11"; DeploymentId = 'ecs-svc/1'
                RunningCount = 1; DesiredCount = 1; Duration = [TimeSpan]::FromSeconds(205) }.GetEnumerator()) { $type.GetProperty($p.Key).SetValue($d, $p.Value) }
        $type.GetProperty('Outcome').SetValue($d, [Enum]::Parse($core.GetType('Cruddur.Core.Deployments.DeploymentOutcome'), 'RolledBackByEcs'))
        $t = Get-TableLines $d
        $t.Header | Should -BeExactly 'Service TaskDefinition From Outcome Running Duration'
        $t.Row | Should -BeExactly 'frontend-react-js frontend-react-js:12 11 RolledBackByEcs 1/1 00:03:25'
    }

    It 'Get-CruddurService: revision, rollout, counts, deployments and the last event' {
        $serviceType.GetProperty('Events').SetValue($status, (New-List 'Deployments.ServiceEvent' @($event)))
        $t = Get-TableLines $status
        $t.Header | Should -BeExactly 'Service Rev Rollout Running Deploys LastEvent'
        $t.Row | Should -BeExactly 'frontend-react-js 12 COMPLETED 1/1 1 has reached a steady state.'
    }

    It 'a service''s tasks: the whole task id and the health' {
        $t = Get-TableLines $task
        $t.Header | Should -BeExactly 'Service TaskId LastStatus Health Rev'
        $t.Row | Should -BeExactly 'frontend-react-js 0123456789abcdef0123456789abcdef RUNNING HEALTHY 12'
    }

    It 'Test-CruddurDatabase: server, database, reachable and latency' {
        $r = New-Shaped 'Database.DbTestResult' @{ Url = 'postgresql://postgres@localhost:5432/cruddur'; Server = 'localhost:5432'; Database = 'cruddur'
            User = 'postgres'; Reachable = $true; ServerVersion = '15.10'; Latency = [TimeSpan]::FromMilliseconds(12); Error = $null }
        $t = Get-TableLines $r
        $t.Header | Should -BeExactly 'Server Database Reachable Latency Error'
        $t.Row | Should -BeExactly 'localhost:5432 cruddur True 12 ms PostgreSQL 15.10'
    }

    It 'Test-CruddurHealth: url, healthy, status, latency, tries and the error' {
        $r = New-Shaped 'Health.HealthCheckResult' @{ Url = 'http://localhost:4567/api/health-check'; Healthy = $false; StatusCode = 503
            Latency = [TimeSpan]::FromMilliseconds(8); Attempts = 3; Error = 'HTTP 503' }
        $t = Get-TableLines $r
        $t.Header | Should -BeExactly 'Url Healthy Status Latency Tries Error'
        $t.Row | Should -BeExactly 'http://localhost:4567/api/health-check False 503 8 ms 3 HTTP 503'
    }

    It 'Invoke-CruddurDbSetup: step, database, status, duration, counts and the message' {
        $r = New-Shaped 'Database.DbSetupResult' @{ Step = 'KillConnections'; Database = 'cruddur'; Server = 'localhost:5432'; Status = 'Succeeded'
            Duration = [TimeSpan]::FromMilliseconds(1234); Statements = 0; RowsAffected = 2; Message = 'ok' }
        $t = Get-TableLines $r
        $t.Header | Should -BeExactly 'Step Database Status Duration Statements Rows Message'
        $t.Row | Should -BeExactly 'KillConnections cruddur Succeeded 1.234 s 0 2 ok'
    }

    It 'Invoke-CruddurDbSetup and Test-CruddurDatabase: a long message or error wraps at word boundaries, not mid-word' {
        $message = 'The database does not exist. Run the CreateDatabase step first, then this one again.'
        $setup = New-Shaped 'Database.DbSetupResult' @{ Step = 'SchemaLoad'; Database = 'cruddur'; Server = 'localhost:5432'; Status = 'Failed'
            Duration = [TimeSpan]::FromMilliseconds(12); Statements = 0; RowsAffected = 0; Message = $message }
        $err = 'password authentication failed for user "postgres" (28P01): check the password in CONNECTION_URL.'
        $test = New-Shaped 'Database.DbTestResult' @{ Url = 'postgresql://postgres@localhost:5432/cruddur'; Server = 'localhost:5432'; Database = 'cruddur'
            User = 'postgres'; Reachable = $false; ServerVersion = $null; Latency = [TimeSpan]::FromMilliseconds(3); Error = $err }

        foreach ($case in @{ Object = $setup; Text = $message; Column = 'Message' }, @{ Object = $test; Text = $err; Column = 'Error' }) {
            $lines = Show-Table $case.Object
            $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
            $start = $lines[0].IndexOf($case.Column)
            $cells = @($lines | Select-Object -Skip 2 | ForEach-Object { $_.Substring([Math]::Min($start, $_.Length)).Trim() })
            $cells.Count | Should -BeGreaterThan 1 -Because 'the text is longer than its column'
            # Every line of the cell ends a word: joined with spaces they give the text back.
            $cells -join ' ' | Should -BeExactly $case.Text
        }
    }

    It 'New-CruddurEnvFile: file, keys and where the values came from' {
        $vars = New-List 'EnvFiles.EnvFileVariable' @((New-Core 'EnvFiles.EnvFileVariable' @('REACT_APP_BACKEND_URL', 'Environment')),
            (New-Core 'EnvFiles.EnvFileVariable' @('REACT_APP_AWS_USER_POOLS_ID', 'ParameterStore:/cruddur/x')))
        $f = New-Core 'EnvFiles.EnvFile' @('/home/user/projects/aws-bootcamp-cruddur-2023/frontend-react-js.env',
            '/home/user/projects/aws-bootcamp-cruddur-2023/erb/frontend-react-js.env.erb', [string[]]@('A', 'B'), $vars)
        $t = Get-TableLines $f
        $t.Header | Should -BeExactly 'File Keys Sources'
        $t.Row | Should -BeExactly 'frontend-react-js.env 2 1 Environment, 1 ParameterStore'
    }

    It 'Publish-CruddurImage: repository, tags and the digest' {
        $i = New-Core 'Images.Image' @('frontend-react-js', '123456789012.dkr.ecr.us-east-1.amazonaws.com', [string[]]@('latest', '1a2b3c4'), 'sha256:0123456789abcdef0123')
        $t = Get-TableLines $i
        $t.Header | Should -BeExactly 'Repository Tags Digest Registry'
        $t.Row | Should -Match '^frontend-react-js latest, 1a2b3c4 sha256:0123456789ab 123456789012\.dkr'
    }

    It 'Initialize-CruddurInfrastructure: kind, name, status and the detail; a non-ARN id leads the detail' {
        $exists = [Enum]::Parse($core.GetType('Cruddur.Core.Infrastructure.ResourceStatus'), 'Exists')
        $sg = New-Core 'Infrastructure.InfrastructureResource' @('SecurityGroup', 'crud-srv-sg', 'sg-0123456789abcdef0', $exists, 'vpc-1, tcp 4567 open')
        $role = New-Core 'Infrastructure.InfrastructureResource' @('IamRole', 'CruddurServiceExecutionRole', 'arn:aws:iam::123456789012:role/CruddurServiceExecutionRole', $exists, $null)
        $lines = Show-Table @($sg, $role) | ForEach-Object { $_ -replace '\s+', ' ' }
        $lines[0] | Should -BeExactly 'Kind Name Status Detail'
        $lines[2] | Should -BeLike 'SecurityGroup crud-srv-sg Exists sg-0123456789abcdef0, vpc-1,*'
        $lines[3].Trim() | Should -BeExactly 'tcp 4567 open' -Because 'a long detail wraps in its column rather than being cut'
        $lines[4].TrimEnd() | Should -BeExactly 'IamRole CruddurServiceExecutionRole Exists'
    }
}

Describe 'Connect-CruddurTask -Check over several services' {
    It 'shows one block per service and task, headed by both' {
        $type = $core.GetType('Cruddur.Core.Exec.ExecCheck')
        $pass = [Enum]::Parse($core.GetType('Cruddur.Core.Exec.ExecCheckStatus'), 'Pass')
        $checks = foreach ($service in 'backend-flask', 'frontend-react-js') {
            $c = New-Core 'Exec.ExecCheck' @('TaskRunning', $pass, 'The task is RUNNING.', $null)
            $type.GetProperty('Service').SetValue($c, $service)
            $type.GetProperty('TaskId').SetValue($c, "$($service.Length)".PadLeft(32, '0'))
            $c
        }
        $text = $checks | Out-String -Width 80
        $text | Should -Match 'Checked: backend-flask task 00000000000000000000000000000013'
        $text | Should -Match 'Checked: frontend-react-js task 00000000000000000000000000000017'
        ([regex]::Matches($text, 'TaskRunning\s+Pass')).Count | Should -Be 2
    }
}

Describe 'Deploy-CruddurService -Check' {
    It 'shows one block per service, each check''s detail and fix whole within 80 columns' {
        $status = $core.GetType('Cruddur.Core.Deployments.Preflight.DeployCheckStatus')
        $checks = @(
            New-Core 'Deployments.Preflight.DeployCheck' @('backend-flask', 'ExecutionRolePermissions', [Enum]::Parse($status, 'Pass'), 'The execution role CruddurServiceExecutionRole allows all 11 actions the tasks need.', $null)
            New-Core 'Deployments.Preflight.DeployCheck' @('frontend-react-js', 'LogGroup', [Enum]::Parse($status, 'Fail'), 'Container frontend-react-js: log group cruddur does not exist in us-east-1.', 'Create it: aws logs create-log-group --log-group-name cruddur --region us-east-1.')
        )
        $lines = @($checks | Format-Table | Out-String -Width 80 -Stream)
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        # A table wraps a long cell at the column's edge, even inside a word: compared without white space, nothing is lost.
        $text = ($lines -join '') -replace '\s+', ''
        $text | Should -BeLike '*Service:backend-flask*'
        $text | Should -BeLike '*Service:frontend-react-js*'
        $text | Should -BeLike '*ExecutionRolePermissionsPassTheexecutionroleCruddurServiceExecutionRoleallowsall11actionsthetasksneed.*'
        $text | Should -BeLike '*LogGroupFailContainerfrontend-react-js:loggroupcruddurdoesnotexistinus-east-1.Fix:Createit:awslogscreate-log-group--log-group-namecruddur--regionus-east-1.*'
    }
}

Describe 'Format-List * shows nested values as words' {
    It 'a service''s deployments and tasks' {
        $serviceType.GetProperty('Tasks').SetValue($status, (New-List 'Deployments.ServiceTask' @($task)))
        $text = $status | Format-List * | Out-String -Width 200
        $text | Should -Not -Match 'ServiceDeployment \{|ServiceTask \{|System\.Collections'
        $text | Should -Match 'Deployments\s+: \{PRIMARY frontend-react-js:12 COMPLETED 1/1\}'
        $text | Should -Match 'Tasks\s+: \{0123456789abcdef0123456789abcdef RUNNING frontend-react-js:12\}'
    }

    It 'a task''s containers' {
        $text = $task | Format-List * | Out-String -Width 200
        $text | Should -Not -Match 'System\.Collections|TaskContainer \{'
        $text | Should -Match 'Containers\s+: \{frontend-react-js\}'
    }

    It 'an env file''s variables and their sources' {
        $vars = New-List 'EnvFiles.EnvFileVariable' @(New-Core 'EnvFiles.EnvFileVariable' @('REACT_APP_BACKEND_URL', 'Environment'))
        $f = New-Core 'EnvFiles.EnvFile' @('/tmp/x.env', $null, [string[]]@('A'), $vars)
        $text = $f | Format-List * | Out-String -Width 200
        $text | Should -Not -Match 'EnvFileVariable \{'
        $text | Should -Match 'Variables\s+: \{REACT_APP_BACKEND_URL \(Environment\)\}'
    }
}
