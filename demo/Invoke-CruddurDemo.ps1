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

    Step 'Done'
} finally {
    Pop-Location
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
