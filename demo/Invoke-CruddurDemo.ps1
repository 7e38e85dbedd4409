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
$stack = Start-CruddurStack Moto, Ecs, Docker, Registry, Postgres -EcsTimeScale $EcsTimeScale
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

    Step 'Env files from the ERB templates (bin/backend/generate-env, bin/frontend/generate-env)'
    $envFiles = Get-ChildItem erb/*.erb | New-CruddurEnvFile
    $envFiles | Format-Table | Out-Host

    # --- publish (Publish-CruddurImage) ---

    # --- deploy (Deploy-CruddurService) ---

    Step 'Deploy both services (bin/backend/deploy, bin/frontend/deploy; create-service from aws/ecs the first time)'
    # The seed's `aws ecs create-cluster --cluster-name cruddur`, until the initialize step does it.
    aws ecs create-cluster --cluster-name cruddur --output text --query 'cluster.clusterName' | Out-Null
    # Stand-ins for Publish-CruddurImage's Image objects (Repository, ImageUri) until the publish step pipes real ones.
    $registry = "$((aws sts get-caller-identity --query Account --output text)).dkr.ecr.$env:AWS_DEFAULT_REGION.amazonaws.com"
    $images = 'backend-flask', 'frontend-react-js' | ForEach-Object { [pscustomobject]@{ Repository = $_; ImageUri = "$registry/${_}:latest" } }
    # Both deploy together: task definitions from aws/task-definitions/<service>.json (placeholders filled), services
    # created from aws/ecs/service-<service>.json, watched in one loop; the events show what ECS did.
    $deployments = $images | Deploy-CruddurService -TaskDefinitionFile aws/task-definitions -ServiceDefinitionFile aws/ecs -KeepRevisions 5 -InformationAction Continue
    $deployments | Format-Table | Out-Host

    # --- database (Invoke-CruddurDbSetup, Test-CruddurDatabase) ---

    # --- status (Get-CruddurService, Connect-CruddurTask -Check, Test-CruddurHealth) ---

    Step 'Service status (aws ecs describe-services --query services[0].deployments)'
    $services = Get-CruddurService
    $services | Format-Table | Out-Host
    $services.Tasks | Format-Table | Out-Host

    Step 'Done'
} finally {
    Pop-Location
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
