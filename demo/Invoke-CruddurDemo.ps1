#Requires -Version 7.4
<#
.SYNOPSIS
    The main job: the seed's whole Cruddur workflow, end to end, against the local stack.
.DESCRIPTION
    Starts moto (SSM, STS, ECR, Logs, Cognito, IAM, EC2), the ECS simulator, dockerd + a registry and PostgreSQL on
    loopback, copies the sample Cruddur project (demo/cruddur: the seed's templates, task and service definitions,
    policies, Dockerfiles and SQL) to a temporary folder, and runs:
    initialize -> env files -> publish images -> deploy services -> database setup -> status.
    Run it with: dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Seconds of simulated ECS time per real second (1 = natural pacing).
    [double] $EcsTimeScale = 0.1
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')

function Step([string] $Title) { Write-Host "`n== $Title" -ForegroundColor Cyan }

Step 'Starting the local stack (moto, ECS simulator, dockerd + registry, PostgreSQL)'
$stack = Start-CruddurStack Moto, Ecs, Docker, Registry, Postgres -EcsTimeScale $EcsTimeScale -AcmValidationSeconds 2
$previous = Set-CruddurStackEnvironment $stack
$work = Join-Path ([IO.Path]::GetTempPath()) ("cruddur-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
Copy-Item (Join-Path $PSScriptRoot 'cruddur') $work -Recurse
Push-Location $work
try {
    Get-CruddurStackStartupTime $stack | Format-Table | Out-Host

    # The seed's environment: what its bin/ scripts expect to find.
    $env:AWS_COGNITO_USER_POOL_ID = 'us-east-1_cruddur'
    $env:AWS_COGNITO_USER_POOL_CLIENT_ID = 'cruddurclient'
    $env:GITPOD_WORKSPACE_ID = 'demo'
    $env:GITPOD_WORKSPACE_CLUSTER_HOST = 'cruddur.local'
    $env:HONEYCOMB_API_KEY = 'demo-honeycomb-key'
    $env:ROLLBAR_ACCESS_TOKEN = 'demo-rollbar-token'
    $env:CONNECTION_URL = $stack.PostgresUrl -replace '/postgres$', '/cruddur'

    # --- initialize (Initialize-CruddurInfrastructure, Set-CruddurParameter) ---
    Step 'One-time AWS set-up from an empty account, with the public edge for cruddur.example (load balancer, target groups, zone, certificate, HTTPS, DNS), ready for blue/green'
    # -Strategy BlueGreen: each service also gets an alternate target group, production and test listener rules that forward
    # to both groups by weight, and the role ECS shifts traffic with.
    $edge = Initialize-CruddurInfrastructure -PolicyPath aws/policies -Domain cruddur.example -Strategy BlueGreen
    $edge | Format-Table Kind, Name, Status, Id -AutoSize | Out-String -Width 250 | Out-Host
    ($edge | Where-Object Kind -EQ HostedZone).Detail | Out-Host
    Write-Host 'https://cruddur.example -> frontend-react-js, https://api.cruddur.example -> backend-flask (alias records on the load balancer)'
    # The seed's gitpod variables its service files read (aws/ecs/service-*.json): the services' subnets and security group.
    $env:CRUDDUR_SERVICE_SG = ($edge | Where-Object { $_.Kind -eq 'SecurityGroup' -and $_.Name -eq 'cruddur-ecs-security-group' }).Id
    $subnets = (aws ec2 describe-subnets --filters Name=default-for-az,Values=true --query 'sort_by(Subnets, &AvailabilityZone)[:3].SubnetId' --output json | ConvertFrom-Json)
    $env:CRUDDUR_SUBNET_A, $env:CRUDDUR_SUBNET_B, $env:CRUDDUR_SUBNET_C = $subnets
    Step 'Again: everything Exists, nothing changes'
    Initialize-CruddurInfrastructure -PolicyPath aws/policies -Domain cruddur.example -Strategy BlueGreen | Group-Object Status -NoElement | Format-Table | Out-Host

    Step 'Env files from the ERB templates (bin/backend/generate-env, bin/frontend/generate-env)'
    $envFiles = Get-ChildItem erb/*.erb | New-CruddurEnvFile
    $envFiles | Format-Table | Out-Host

    # (initialize, continued: the parameters come from the backend env file rendered just above)
    Step 'Backend secrets into Parameter Store as SecureStrings (versions shown, never values)'
    $envFiles | Where-Object { (Split-Path -Leaf $_.Path) -eq 'backend-flask.env' } |
        Set-CruddurParameter -Name AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ROLLBAR_ACCESS_TOKEN, OTEL_EXPORTER_OTLP_HEADERS |
        Format-Table | Out-Host
    # The env file's CONNECTION_URL is the local compose database; the seed stores $RDS_CONNECTION_URL instead.
    Set-CruddurParameter CONNECTION_URL -Value (ConvertTo-SecureString $env:CONNECTION_URL -AsPlainText -Force) | Format-Table | Out-Host

    # --- publish (Publish-CruddurImage) ---

    Step 'Mirror the Python base image into ECR as cruddur-python (the seed''s "Create ECR Repo and Push Image")'
    # No Docker Hub here: a local stand-in for python:3.10-slim-buster, FROM scratch with a static busybox.
    $base = New-Item -ItemType Directory (Join-Path $work 'python-base')
    Copy-Item /bin/busybox $base
    Set-Content (Join-Path $base 'Dockerfile') "FROM scratch`nCOPY busybox /bin/busybox`n"
    # docker's own output (its legacy-builder notice) is shown only when the build fails.
    $built = docker build -q -t python:3.10-slim-buster $base 2>&1
    if ($LASTEXITCODE) { throw "building the python:3.10-slim-buster stand-in failed: $($built -join "`n")" }
    $python = Publish-CruddurImage -Source python:3.10-slim-buster -Repository cruddur-python -RegistryHost $stack.RegistryHost
    $python | Format-Table | Out-Host

    Step 'Build and push backend-flask FROM the mirror, and frontend-react-js with its env file''s REACT_APP_* values (bin/*/build + push)'
    Copy-Item /bin/busybox frontend-react-js/
    $backendImage = Publish-CruddurImage backend-flask -RegistryHost $stack.RegistryHost -BuildArgument @{ ECR_REGISTRY = $python.Registry }
    # The env file names the repository and the context (./frontend-react-js); only the ARGs Dockerfile.prod declares are passed.
    $frontendImage = $envFiles | Where-Object { (Split-Path -Leaf $_.Path) -eq 'frontend-react-js.env' } |
        Publish-CruddurImage -RegistryHost $stack.RegistryHost
    $images = @($backendImage, $frontendImage)
    $images | Format-Table | Out-Host
    $images | Select-Object Repository, ImageUri | Format-List | Out-Host

    # --- deploy (Deploy-CruddurService) ---

    Step 'Deploy both services (bin/backend/deploy, bin/frontend/deploy; create-service the first time): the backend blue/green, the frontend rolling'
    # The images just published, pinned by digest: task definitions from aws/task-definitions/<service>.json (placeholders
    # filled). The frontend's service is created from aws/ecs/service-frontend-react-js.json and rolls; the backend's from
    # aws/ecs-blue-green/service-backend-flask.json, the seed's file with an advancedConfiguration naming the edge above, and
    # is released blue/green: green starts in the alternate target group, production traffic moves to it at once, blue
    # stays up for the one-minute bake. The events show what ECS did.
    # The stability window scaled like the simulator's clock (95 s of ECS time at -EcsTimeScale).
    $stableFor = [timespan]::FromSeconds(95 * $EcsTimeScale)
    $frontendDeployment = $frontendImage | Deploy-CruddurService -TaskDefinitionFile aws/task-definitions -ServiceDefinitionFile aws/ecs -KeepRevisions 5 -StableFor $stableFor -InformationAction Continue
    $backendDeployment = $backendImage | Deploy-CruddurService -TaskDefinitionFile aws/task-definitions -ServiceDefinitionFile aws/ecs-blue-green -Strategy BlueGreen -BakeTime 1 -KeepRevisions 5 -InformationAction Continue
    $deployments = @($backendDeployment, $frontendDeployment)
    $deployments | Format-Table | Out-Host
    $deployments | Format-Table Service, Strategy, Outcome, ProductionTrafficPercent, TargetRevision -AutoSize | Out-String -Width 250 | Out-Host
    # Each Deployment names the public URLs its load balancer's listener rules route to it.
    $deployments | Format-Table Service, @{ n = 'Urls'; e = { $_.Urls -join ', ' } } -AutoSize | Out-String -Width 250 | Out-Host

    # --- database (Invoke-CruddurDbSetup, Test-CruddurDatabase) ---

    Step 'Cognito users for the seed data (the users the app''s sign-up would have made)'
    # moto chooses pool ids, so the pool id goes to the setup explicitly rather than through AWS_COGNITO_USER_POOL_ID.
    $userPoolId = aws cognito-idp create-user-pool --pool-name cruddur-user-pool --query UserPool.Id --output text
    if ($LASTEXITCODE) { throw 'aws cognito-idp create-user-pool failed' }
    foreach ($user in @{ handle = 'andrewbrown'; email = 'andrew@exampro.co' }, @{ handle = 'bayko'; email = 'bayko@exampro.co' }) {
        aws cognito-idp admin-create-user --user-pool-id $userPoolId --username $user.handle --output text `
            --user-attributes "Name=preferred_username,Value=$($user.handle)" "Name=email,Value=$($user.email)" | Out-Null
        if ($LASTEXITCODE) { throw "aws cognito-idp admin-create-user $($user.handle) failed" }
    }

    Step 'Database setup (bin/postgresdb/setup: kill-all, drop, create, schema-load, seed, update_cognito_user_ids)'
    # The backend env file's CONNECTION_URL names the compose host postgres:5432, which only exists inside compose; the
    # stack's server is at $env:CONNECTION_URL, so that is passed. From the project root, as the seed's scripts run.
    Invoke-CruddurDbSetup -ConnectionUrl $env:CONNECTION_URL -UserPoolId $userPoolId -Confirm:$false | Format-Table | Out-Host
    Test-CruddurDatabase -ConnectionUrl $env:CONNECTION_URL | Format-Table | Out-Host

    # --- status (Get-CruddurService, Connect-CruddurTask -Check, Test-CruddurHealth) ---

    Step 'Service status (aws ecs describe-services --query services[0].deployments)'
    $services = Get-CruddurService
    $services | Format-Table | Out-Host
    $services.Tasks | Format-Table | Out-Host

    Step 'ECS Exec prerequisites of the backend (what bin/backend/connect needs; no plugin here, so no session)'
    Connect-CruddurTask -Service backend-flask -Check | Format-Table -Wrap | Out-Host

    Step 'ECS Exec without the plugin: one command in the backend task, and its exit code'
    $exec = Connect-CruddurTask -Service backend-flask -Command 'echo "hello from $(pwd)"; exit 3' -ErrorAction SilentlyContinue -ErrorVariable execError
    if ($exec) {
        "exit code $($exec.ExitCode) (`$LASTEXITCODE $LASTEXITCODE, error $($execError[0].FullyQualifiedErrorId)), output: $($exec.Output -join ' | ')" | Out-Host
    } else {
        "no session: $execError" | Out-Host
    }

    Step 'A one-off task next to the frontend (aws ecs run-task + wait tasks-stopped + describe-tasks), with its output'
    Invoke-CruddurTask frontend-react-js -Command "sh -c 'echo one-off check; echo all good'" -InformationAction Continue | Format-Table | Out-Host

    Step 'The frontend''s last log lines (aws logs filter-log-events on the awslogs streams of its tasks)'
    Get-CruddurLog frontend-react-js -Tail 5 | Format-Table | Out-Host

    Step 'Done'
} finally {
    Pop-Location
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
