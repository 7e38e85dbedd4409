# The README's tour, statement by statement as it is written there, in order, in one session, against the local stack from
# an empty account, in a copy of the sample project (demo/cruddur). The statements are read from README.md, so the tour
# cannot drift from what runs. The session is set up as a user's on this machine would be: the seed's environment
# variables, and the two things the local stack needs that AWS does not (the registry's address, the public-IP service).
BeforeDiscovery {
    $root = if ($env:CRUDDUR_REPO_ROOT) { $env:CRUDDUR_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    $readme = Get-Content (Join-Path $root 'README.md') -Raw
    $block = [regex]::Match($readme, '(?s)\n## A tour[^\n]*\n.*?```powershell\n(.*?)```').Groups[1].Value
    $parseErrors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($block, [ref]$null, [ref]$parseErrors)
    if ($parseErrors) { throw "The README's tour does not parse: $($parseErrors -join '; ')" }
    $script:statements = @($ast.EndBlock.Statements | ForEach-Object { @{ Statement = $_.Extent.Text } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Ecs, Docker, Registry, Postgres -AcmValidationSeconds 2
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:project = Join-Path $TestDrive 'cruddur'
    Copy-Item (Join-Path $RepoRoot 'demo/cruddur') $project -Recurse

    # The seed's environment (its gitpod variables), as the bin/ scripts expect it. PROD_CONNECTION_URL is the "RDS"
    # database, here the stack's server; RDS creates it (its initial database), so it exists before the tour.
    $prodUrl = $stack.PostgresUrl -replace '/postgres$', '/cruddur'
    $script:tourEnv = @{
        AWS_COGNITO_USER_POOL_ID = 'us-east-1_cruddur'; AWS_COGNITO_USER_POOL_CLIENT_ID = 'cruddurclient'
        GITPOD_WORKSPACE_ID = 'tour'; GITPOD_WORKSPACE_CLUSTER_HOST = 'cruddur.local'
        HONEYCOMB_API_KEY = 'tour-honeycomb-key'; ROLLBAR_ACCESS_TOKEN = 'tour-rollbar-token'
        CONNECTION_URL = $prodUrl; PROD_CONNECTION_URL = $prodUrl
        PSModulePath = (Split-Path (Split-Path (Split-Path $env:CRUDDUR_MODULE_PATH))) + [IO.Path]::PathSeparator + $env:PSModulePath
    }
    $script:previousTourEnv = @{}
    foreach ($name in $tourEnv.Keys) { $previousTourEnv[$name] = [Environment]::GetEnvironmentVariable($name); Set-Item "Env:$name" $tourEnv[$name] }
    Invoke-CruddurDbSetup -ConnectionUrl $prodUrl -Step Create -Confirm:$false | Out-Null

    # The seed's gitpod variables for its service files' network: the default VPC's subnets, and the services' security group
    # (made here as the seed made it by hand; Initialize-CruddurInfrastructure adopts it by name).
    $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
    $subnets = @((Invoke-Aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc").Subnets | Sort-Object AvailabilityZone | Select-Object -First 3 -ExpandProperty SubnetId)
    $network = @{
        CRUDDUR_SUBNET_A = $subnets[0]; CRUDDUR_SUBNET_B = $subnets[1]; CRUDDUR_SUBNET_C = $subnets[2]
        CRUDDUR_SERVICE_SG = (Invoke-Aws ec2 create-security-group --group-name cruddur-ecs-security-group --description 'Security group for Cruddur services on ECS' --vpc-id $vpc).GroupId
    }
    foreach ($name in $network.Keys) { $previousTourEnv[$name] = [Environment]::GetEnvironmentVariable($name); Set-Item "Env:$name" $network[$name] }

    # The security group the seed made by hand for RDS, with its GITPOD rule (bin/rds/update-sg-rule's target).
    $env:DB_SG_ID = (Invoke-Aws ec2 create-security-group --group-name cruddur-db-sg --description 'Cruddur RDS' --vpc-id $vpc).GroupId
    Invoke-Aws ec2 authorize-security-group-ingress --group-id $env:DB_SG_ID `
        --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=203.0.113.9/32,Description=GITPOD}]' | Out-Null

    # No Docker Hub here: python:3.10-slim-buster is a FROM-scratch busybox stand-in, and the React build's stand-in
    # needs busybox in its context. The seed's backend Dockerfile.prod names its registry literally (as here the stack's).
    $base = New-Item -ItemType Directory (Join-Path $TestDrive 'python-base')
    Copy-Item /bin/busybox $base
    Set-Content (Join-Path $base 'Dockerfile') "FROM scratch`nCOPY busybox /bin/busybox`n"
    $built = docker build -q -t python:3.10-slim-buster $base 2>&1
    if ($LASTEXITCODE) { throw "building the python:3.10-slim-buster stand-in failed: $($built -join "`n")" }
    Copy-Item /bin/busybox (Join-Path $project 'frontend-react-js')
    $dockerfile = Join-Path $project 'backend-flask/Dockerfile.prod'
    (Get-Content $dockerfile -Raw) -replace '\$\{ECR_REGISTRY\}', $stack.RegistryHost | Set-Content $dockerfile
    # The images go to the stack's registry, not ECR (-RegistryHost below), and it wants a login: as for any registry other
    # than ECR, the task definitions name its credentials (repositoryCredentials, a Secrets Manager secret) and the execution
    # policy lets the role read them; otherwise the deploy's Image check fails, as ECS would fail the pull.
    $login = @{ username = $stack.RegistryUser; password = $stack.RegistryPassword } | ConvertTo-Json -Compress
    $registrySecret = (Invoke-Aws secretsmanager create-secret --name cruddur/registry --secret-string $login).ARN
    foreach ($name in 'backend-flask', 'frontend-react-js') {
        $file = Join-Path $project "aws/task-definitions/$name.json"
        (Get-Content $file -Raw) -replace "(`"image`": `"[^`"]*amazonaws\.com/$name`",)", "`$1 `"repositoryCredentials`": {`"credentialsParameter`": `"$registrySecret`"}," | Set-Content $file
    }
    $executionPolicy = Join-Path $project 'aws/policies/service/service-execution-policy.json'
    $policy = Get-Content $executionPolicy -Raw | ConvertFrom-Json
    $policy.Statement += [pscustomobject]@{ Effect = 'Allow'; Action = 'secretsmanager:GetSecretValue'; Resource = $registrySecret }
    $policy | ConvertTo-Json -Depth 6 | Set-Content $executionPolicy

    # The backend running locally (the seed's docker compose), for Test-CruddurHealth -Url http://localhost:4567, and this
    # machine's "public IP" service for Set-CruddurIngressRule: both busybox httpd serving a folder.
    $site = New-Item -ItemType Directory (Join-Path $TestDrive 'site')
    New-Item -ItemType Directory (Join-Path $site 'api') | Out-Null
    Set-Content (Join-Path $site 'api/health-check') '{"success": true, "ver": 1}' -NoNewline
    Set-Content (Join-Path $site 'ip') '198.51.100.23' -NoNewline
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
    $ipPort = $listener.LocalEndpoint.Port; $listener.Stop()
    $script:backend = Start-Process busybox -ArgumentList 'httpd', '-f', '-p', '127.0.0.1:4567', '-h', $site -PassThru
    $script:ipService = Start-Process busybox -ArgumentList 'httpd', '-f', '-p', "127.0.0.1:$ipPort", '-h', $site -PassThru
    foreach ($url in 'http://127.0.0.1:4567/api/health-check', "http://127.0.0.1:$ipPort/ip") {
        Wait-Until { (Invoke-WebRequest $url -SkipHttpErrorCheck -TimeoutSec 2 -ErrorAction Ignore).StatusCode -eq 200 } "busybox httpd at $url" | Out-Null
    }

    # One session for the whole tour, like a user's: statements share variables and the current folder.
    $script:session = [powershell]::Create()
    $null = $session.AddScript({
        param($Project, $RegistryHost, $CheckIpUrl)
        Set-Location $Project
        # The user answers Yes to each prompt (this test has no terminal to answer in).
        $ConfirmPreference = 'None'
        # What the local stack needs: moto's ECR hands out a registry name that does not resolve here.
        $PSDefaultParameterValues['Publish-CruddurImage:RegistryHost'] = $RegistryHost
        $PSDefaultParameterValues['Set-CruddurIngressRule:CheckIpUrl'] = $CheckIpUrl
        # Deploy's stability window at the stack's ECS time scale, as in every other Pester file.
        $PSDefaultParameterValues['Deploy-CruddurService:StableFor'] = [timespan]::FromSeconds(95 * 0.02)
    }).AddArgument($project).AddArgument($stack.RegistryHost).AddArgument("http://127.0.0.1:$ipPort/ip")
    $session.Invoke()
    $session.Commands.Clear()

    # Runs one statement in the tour's session; returns its output and the errors it wrote.
    function Invoke-TourStatement([string] $Statement) {
        $session.Streams.ClearStreams()
        $null = $session.AddScript($Statement)
        try { $output = $session.Invoke() } finally { $session.Commands.Clear() }
        [pscustomobject]@{ Output = @($output); Errors = @($session.Streams.Error) }
    }

    # What each statement's output must show (a statement not listed must simply run without an error). The key is the
    # start of the statement.
    $script:expectations = @{
        'Initialize-CruddurInfrastructure' = { param($r) $r.Output.Kind | Should -Contain 'Certificate'; $r.Output.Kind | Should -Contain 'LoadBalancer' }
        '$backendEnv  = New-CruddurEnvFile' = { param($r) (Invoke-TourStatement '$backendEnv.Path').Output | Should -Exist }
        '$backendEnv | Set-CruddurParameter' = { param($r)
            $r.Output.Name | Should -Be ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CONNECTION_URL', 'ROLLBAR_ACCESS_TOKEN', 'OTEL_EXPORTER_OTLP_HEADERS' | ForEach-Object { "/cruddur/backend-flask/$_" })
        }
        'Deploy-CruddurService backend-flask, frontend-react-js -Check' = { param($r)
            $r.Output.Service | Sort-Object -Unique | Should -Be 'backend-flask', 'frontend-react-js'
            $r.Output | Where-Object Status -EQ 'Fail' | ForEach-Object { "$($_.Service) $($_.Check): $($_.Detail)" } | Should -BeNullOrEmpty
            @($r.Output | Where-Object { $_.Service -eq 'backend-flask' -and $_.Check -eq 'Secret' -and $_.Status -eq 'Pass' }).Count | Should -Be 5
        }
        'Publish-CruddurImage -Source' = { param($r) $r.Output.Repository | Should -Be 'cruddur-python' }
        'Publish-CruddurImage -Repository backend-flask' = { param($r)
            $r.Output.Outcome | Should -Be 'Succeeded'
            $r.Output.Urls | Should -Contain 'https://api.cruddur.example'
        }
        '$frontendEnv | Publish-CruddurImage' = { param($r) $r.Output.Outcome | Should -Be 'Succeeded' }
        '$backendEnv | Test-CruddurDatabase' = { param($r) $r.Output.Reachable | Should -BeTrue }
        '$backendEnv | Invoke-CruddurDbSetup' = { param($r) @($r.Output).Count | Should -Be 2 }
        'Get-CruddurService' = { param($r) $r.Output.Service | Sort-Object | Should -Be 'backend-flask', 'frontend-react-js' }
        'Get-CruddurService | Get-CruddurLog' = { param($r) $r.Output.Message | Should -Not -BeNullOrEmpty }
        'Invoke-CruddurTask' = { param($r) $r.Output.ExitCode | Should -Be 0 }
        'Undo-CruddurDeployment' = { param($r) $r.Output.TaskDefinitionArn | Should -Match ':task-definition/backend-flask:1$' }
        'Deploy-CruddurService backend-flask -ServiceDefinitionFile aws/ecs-blue-green' = { param($r)
            $r.Output.Strategy | Should -Be 'BlueGreen'
            $r.Output.Outcome | Should -Be 'Succeeded'
            $r.Output.ProductionTrafficPercent | Should -Be 100
            (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0].deploymentConfiguration.strategy | Should -Be 'BLUE_GREEN'
        }
        '(Connect-CruddurTask' = { param($r) $r.Output | Should -Be 3 }
        'Connect-CruddurTask -Service frontend-react-js -Check' = { param($r) @($r.Output).Count | Should -BeGreaterThan 0 }
        'Test-CruddurHealth -Url http://localhost:4567' = { param($r) $r.Output.Healthy | Should -BeTrue }
        # The public name has no DNS here: the check runs as written and reports the name unreachable, as a result, not an error.
        'Test-CruddurHealth -Url https://api.cruddur.example' = { param($r)
            $r.Output.Url | Should -Be 'https://api.cruddur.example/api/health-check'
            $r.Output.Healthy | Should -BeFalse
            $r.Output.Error | Should -Match '^could not connect: '
        }
        'Set-CruddurIngressRule' = { param($r)
            $rules = (Invoke-Aws ec2 describe-security-groups --group-ids $env:DB_SG_ID).SecurityGroups[0].IpPermissions.IpRanges
            ($rules | Where-Object Description -EQ GITPOD).CidrIp | Should -Be '198.51.100.23/32'
        }
    }
}

AfterAll {
    $session.Dispose()
    foreach ($p in $backend, $ipService) { if ($p -and -not $p.HasExited) { $p.Kill() } }
    foreach ($name in $previousTourEnv.Keys) { if ($null -eq $previousTourEnv[$name]) { Remove-Item "Env:$name" -ErrorAction Ignore } else { Set-Item "Env:$name" $previousTourEnv[$name] } }
    Remove-Item Env:DB_SG_ID -ErrorAction Ignore
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'The README tour, run as written from an empty account' {
    It 'runs: <Statement>' -ForEach $statements {
        $r = switch -Wildcard ($Statement) {
            'Connect-CruddurTask -Service backend-flask' {
                # The interactive shell needs a terminal: a pwsh under a pseudo-terminal, and a user typing into it.
                $steps = Join-Path $TestDrive 'steps.json'
                ConvertTo-Json -Depth 3 -InputObject @(
                    @{ expect = '[#$] ' }, @{ send = "echo tour-`$((6*7))`r" }, @{ expect = 'tour-42\r\n' }, @{ send = "exit`r" }, @{ expect = 'ENDED:True' }
                ) | Set-Content $steps
                $pwsh = if (Test-Path "$PSHOME/pwsh.dll") { [Environment]::ProcessPath, "$PSHOME/pwsh.dll" } else { [Environment]::ProcessPath }
                $script = "Import-Module '$env:CRUDDUR_MODULE_PATH'; Set-Location '$project'; $Statement; 'ENDED:' + `$?"
                $report = python3 (Join-Path $PSScriptRoot 'pty-session.py') $steps @pwsh -NoProfile -NonInteractive -Command $script | ConvertFrom-Json
                $report.ok | Should -BeTrue -Because "step $($report.failed_step) must pass; the terminal showed: $($report.transcript)"
                $report.exit_code | Should -Be 0
                return
            }
            '*-Follow*' {
                # Ctrl+C after the first lines: the follow runs until stopped.
                $ps = [powershell]::Create()
                $null = $ps.AddScript("Import-Module '$env:CRUDDUR_MODULE_PATH'; Set-Location '$project'; $Statement")
                $lines = [System.Management.Automation.PSDataCollection[psobject]]::new()
                $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $lines)
                # Lines are moved out as they come: enumerating the collection would wait for the pipeline to end.
                $seen = [System.Collections.Generic.List[psobject]]::new()
                try {
                    Wait-Until { $seen.AddRange($lines.ReadAll()); $seen.Count -ge 2 } 'the followed log lines' 60 | Out-Null
                    $ps.Stop()
                    Wait-Until { $async.IsCompleted } 'the follow to stop' 5 | Out-Null
                    [pscustomobject]@{ Output = $seen.ToArray(); Errors = @($ps.Streams.Error) }
                } finally {
                    if (-not $async.IsCompleted) { $null = $ps.BeginStop($null, $null) }
                }
                break
            }
            'Undo-CruddurDeployment*' {
                # A bad release first: the backend changed and published and deployed again by the tour's own pipeline.
                Add-Content (Join-Path $project 'backend-flask/app.py') "# release 2"
                $release = $statements.Statement | Where-Object { $_ -like 'Publish-CruddurImage -Repository backend-flask*' }
                (Invoke-TourStatement $release).Output.TaskDefinitionArn | Should -Match ':task-definition/backend-flask:2$'
                Invoke-TourStatement $Statement
                break
            }
            default { Invoke-TourStatement $Statement }
        }
        if (-not $r) { return }
        # A remote command's non-zero exit is an error, as the README says; nothing else may write one.
        $allowed = if ($Statement -like '(Connect-CruddurTask*exit 3*') { 'ExecCommandFailed,*' } else { '' }
        $r.Errors | Where-Object { -not $allowed -or $_.FullyQualifiedErrorId -notlike $allowed } |
            ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty
        if ($allowed) { $r.Errors.Count | Should -Be 1 }
        $key = $expectations.Keys | Where-Object { $Statement.StartsWith($_) } | Sort-Object Length -Descending | Select-Object -First 1
        if ($key) { & $expectations[$key] $r }
    }
}
