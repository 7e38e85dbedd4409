# Shared by every Pester file: the built module (build.ps1 sets CRUDDUR_MODULE_PATH), the stack harness and helpers.
$script:RepoRoot = if ($env:CRUDDUR_REPO_ROOT) { $env:CRUDDUR_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
$modulePath = if ($env:CRUDDUR_MODULE_PATH) { $env:CRUDDUR_MODULE_PATH } else { throw 'Set CRUDDUR_MODULE_PATH to the built Cruddur.psd1 (build.ps1 Test does).' }
Import-Module $modulePath
Import-Module (Join-Path $script:RepoRoot 'tests/Stack/CruddurStack.psm1') -Force

# Deploy's default stability window at the stack's ECS time scale (Start-CruddurStack -EcsTimeScale, 0.02): 95 s becomes
# 1.9 s, as every other simulated wait is scaled. Tests of the window pass their own -StableFor.
$PSDefaultParameterValues['Deploy-CruddurService:StableFor'] = [timespan]::FromSeconds(95 * 0.02)

# Everything a command wrote to any stream (output formatted as a user sees it, errors, warnings, verbose, debug,
# information), as one string: for asserting that a secret appears nowhere.
function Get-AllStreamText([scriptblock] $Command) {
    $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
    $all = & $Command *>&1
    (@($all | ForEach-Object {
        if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.ToString(); $_.Exception.ToString() }
        else { $_ | Format-List * -Force | Out-String; $_ | Out-String }
    }) -join "`n")
}

# A pipeline in its own runspace whose host records what reaches its UI (once the pipeline is stopped it may take no more
# output; the host still shows it) and holds -Confirm prompts until the test answers them.
function New-RecordedPipeline([string] $Script) {
    if (-not ('CruddurTest.RecordingHost' -as [type])) {
        Add-Type -TypeDefinition (Get-Content (Join-Path $PSScriptRoot 'RecordingHost.cs') -Raw)
    }
    $recorder = [CruddurTest.RecordingHost]::new()
    $runspace = [runspacefactory]::CreateRunspace($recorder)
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $null = $ps.AddScript("Import-Module '$env:CRUDDUR_MODULE_PATH'; $Script")
    $recorder, $runspace, $ps
}

# Polls $Condition every 50 ms until it returns something truthy, and returns that; throws after $Seconds naming $What.
# The condition may throw to give up early (a server process that exited, say).
function Wait-Until([scriptblock] $Condition, [string] $What, [double] $Seconds = 15) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not ($result = & $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $Seconds s waiting for $What" }
        Start-Sleep -Milliseconds 50
    }
    $result
}

# A new empty folder under Pester's TestDrive.
function New-TestFolder([string] $Name = [guid]::NewGuid().ToString('N')) {
    (New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name) -Force).FullName
}

# Runs a script in a new pwsh of the same version as this one (a binary module cannot be unloaded, so isolation and
# packaging tests need their own process). Returns its output lines; throws with them when it fails.
function Invoke-FreshPwsh([string] $Script) {
    $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $Script 2>&1
    if ($LASTEXITCODE) { throw "fresh pwsh failed ($LASTEXITCODE): $($output -join "`n")" }
    $output
}

# Runs the aws CLI (pointed at the stack by Set-CruddurStackEnvironment) and returns its JSON answer as objects; throws on failure.
function Invoke-Aws {
    $text = aws @args --output json
    if ($LASTEXITCODE) { throw "aws $args failed" }
    if ($text) { $text | ConvertFrom-Json }
}

# What Deploy-CruddurService checks before it registers anything, made in moto: the execution role the test definitions name,
# the log group -LogGroup (when given), with -Seed all the seed's backend-flask needs, and the default VPC's subnets and default
# security group (returned, for service files). See fixtures/deploy-prerequisites.py.
function Initialize-DeployPrerequisites([string] $LogGroup, [switch] $Seed, [string[]] $Image, [string[]] $Parameter) {
    $arguments = @(if ($LogGroup) { '--log-group', $LogGroup }) + @(if ($Seed) { '--seed' }) +
        @(foreach ($i in $Image) { '--image', $i }) + @(foreach ($p in $Parameter) { '--parameter', $p })
    $text = python3 (Join-Path $PSScriptRoot 'fixtures/deploy-prerequisites.py') @arguments
    if ($LASTEXITCODE) { throw "deploy-prerequisites.py failed ($LASTEXITCODE)" }
    $text | ConvertFrom-Json
}

# What a command printed to the host (the "What if:" lines of -WhatIf), as one string.
function Get-WhatIfText([scriptblock] $Command) {
    $file = Join-Path $TestDrive "whatif-$([guid]::NewGuid().ToString('N')).txt"
    Start-Transcript -Path $file -UseMinimalHeader | Out-Null
    try { & $Command | Out-Null } finally { Stop-Transcript | Out-Null }
    Get-Content $file -Raw
}
