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

# The aws CLI and the tests' boto3 scripts run in one Python process per test file (fixtures/python-host.py): a Python start
# and botocore import per call took 7-15 s on the loaded 2-core build machine (0.2-0.8 s here), hundreds of times a file.
# Each call still runs the real aws CLI (or the script) with this process's environment, location and stdin, and gives its
# exit code in $LASTEXITCODE, its output lines as output and its stderr on this process's stderr, as `aws` itself would.
function Invoke-PythonHost([string] $Kind, [string[]] $Arguments, [string] $Script, [string] $Name, [string] $InputText) {
    if (-not $script:PythonHost -or $script:PythonHost.HasExited) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new('python3')
        $psi.ArgumentList.Add((Join-Path $PSScriptRoot 'fixtures/python-host.py'))
        $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true
        $psi.StandardInputEncoding = $psi.StandardOutputEncoding = [System.Text.UTF8Encoding]::new($false)
        $script:PythonHost = [System.Diagnostics.Process]::Start($psi)
    }
    $environment = @{}
    foreach ($e in [Environment]::GetEnvironmentVariables().GetEnumerator()) { $environment[$e.Key] = $e.Value }
    $request = @{ kind = $Kind; args = @($Arguments); script = $Script; name = $Name; env = $environment
        cwd = (Get-Location -PSProvider FileSystem).ProviderPath; stdin = $InputText } | ConvertTo-Json -Compress -Depth 3
    $script:PythonHost.StandardInput.WriteLine($request)
    $script:PythonHost.StandardInput.Flush()
    $answer = $script:PythonHost.StandardOutput.ReadLine()
    if ($null -eq $answer) { throw "fixtures/python-host.py exited ($($script:PythonHost.ExitCode)) while running $Kind $Name $Arguments" }
    $result = $answer | ConvertFrom-Json
    if ($result.stderr) { [Console]::Error.Write($result.stderr) }
    $global:LASTEXITCODE = $result.code
    if ($result.stdout) { $result.stdout -split '\r?\n' | Select-Object -SkipLast ([int]$result.stdout.EndsWith("`n")) }
}

# `aws` in the test files: the real aws CLI, in the shared Python process (a function is found before the program on PATH).
# An array argument becomes one argument per item, as PowerShell passes it to a program (--subnets $a $b).
function aws { Invoke-PythonHost -Kind aws -Arguments @($args | ForEach-Object { $_ }) }

# Runs a Python script (its text; boto3 at hand) as `python3 - @Arguments` would, piped input as its stdin, in the shared
# Python process.
function Invoke-TestPython([string] $Script, [string] $Name = '<stdin>', [string[]] $Arguments = @(), [Parameter(ValueFromPipeline)] [string] $InputObject) {
    begin { $lines = [System.Collections.Generic.List[string]]::new() }
    process { if ($null -ne $InputObject) { $lines.Add($InputObject) } }
    end { Invoke-PythonHost -Kind script -Script $Script -Name $Name -Arguments $Arguments -InputText ($lines -join "`n") }
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
    $path = Join-Path $PSScriptRoot 'fixtures/deploy-prerequisites.py'
    $text = Invoke-TestPython -Script (Get-Content $path -Raw) -Name $path -Arguments $arguments
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
