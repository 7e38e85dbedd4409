#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the Cruddur module.
.DESCRIPTION
    Tasks:
      Build    assemble out/Cruddur/<version>/ (psd1, dlls, format, help) and the ECS simulator in out/ecs-simulator/
      Test     Build, then xunit, then Pester in a fresh pwsh against the built module; prints 'N passed, N failed'
      Package  Build, then Publish-PSResource into the local folder repository out/repository (a .nupkg)
      Demo     Build, then the main job: a whole Cruddur deploy against the local stack (moto, ECS simulator,
               dockerd + registry, PostgreSQL)
      Bench    Build, then every bench/*.ps1 script
      Clean    remove out/ and every bin/ and obj/
    Test and Demo install what they need on a fresh machine first (.ci/install-deps.sh, as root).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester test files or folders to run instead of all of tests/ (Test only).
    [string[]] $PesterPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$version = ([xml](Get-Content (Join-Path $root 'Directory.Build.props') -Raw)).Project.PropertyGroup.Version | Select-Object -First 1
$moduleDir = Join-Path $out "Cruddur/$version"
$pesterVersion = '5.7.1'

function Invoke-Native([scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$Command failed with exit code $LASTEXITCODE" }
}

function Install-Dependencies {
    # Idempotent; cheap when everything is there already.
    $missing = @('dockerd', 'docker-registry', 'htpasswd', 'busybox', 'moto_server', 'initdb', 'ruby') | Where-Object { -not (Get-Command $_ -ErrorAction Ignore) }
    if (-not $missing) { return }
    if ($IsLinux -and (id -u) -eq '0') {
        Write-Host "Installing what the tests need ($($missing -join ', ')) with .ci/install-deps.sh"
        Invoke-Native { bash (Join-Path $root '.ci/install-deps.sh') }
    } else {
        Write-Warning "Missing: $($missing -join ', '). Run 'sudo bash .ci/install-deps.sh' (Debian/Ubuntu) or install them yourself."
    }
}

function Invoke-Build {
    $publish = Join-Path $out 'publish'
    Remove-Item $publish, $moduleDir -Recurse -Force -ErrorAction Ignore
    Invoke-Native { dotnet build (Join-Path $root 'Cruddur.PowerShell.sln') -c $Configuration --nologo -v quiet }
    Invoke-Native { dotnet publish (Join-Path $root 'src/Cruddur.PowerShell') -c $Configuration --no-build --nologo -v quiet -o $publish }

    # Cruddur.dll at the root; the core and every third-party assembly in dependencies/, where only the module's own
    # load context finds them (see src/Cruddur.PowerShell/Hosting/ModuleInitializer.cs).
    $dependencies = New-Item -ItemType Directory -Force (Join-Path $moduleDir 'dependencies')
    Copy-Item (Join-Path $publish 'Cruddur.dll') $moduleDir
    Get-ChildItem $publish -Filter *.dll | Where-Object Name -NotIn 'Cruddur.dll', 'System.Management.Automation.dll' |
        Copy-Item -Destination $dependencies
    Copy-Item (Join-Path $root 'src/Cruddur.PowerShell/Cruddur.Format.ps1xml') $moduleDir
    $manifest = (Get-Content (Join-Path $root 'Cruddur.psd1') -Raw) -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $moduleDir 'Cruddur.psd1') -Value $manifest -NoNewline
    Copy-Item (Join-Path $root 'LICENSE'), (Join-Path $root 'CHANGELOG.md') $moduleDir -ErrorAction Ignore

    $helpDir = New-Item -ItemType Directory -Force (Join-Path $moduleDir 'en-US')
    $generator = Join-Path $root 'tools/New-MamlHelp.ps1'
    if (Test-Path $generator) {
        # A child process: importing the binary module here would lock it into this session.
        Invoke-Native { dotnet pwsh -NoProfile -NonInteractive -File $generator -DocsPath (Join-Path $root 'docs/en-US') `
            -ModuleManifest (Join-Path $moduleDir 'Cruddur.psd1') -OutFile (Join-Path $helpDir 'Cruddur.dll-Help.xml') }
    }

    $simulator = Join-Path $root 'tests/Cruddur.EcsSimulator'
    if (Test-Path $simulator) {
        Invoke-Native { dotnet publish $simulator -c $Configuration --no-build --nologo -v quiet -o (Join-Path $out 'ecs-simulator') }
    }
    Write-Host "Built $moduleDir"
}

function Get-PesterModule {
    $psd1 = Join-Path ([Environment]::GetFolderPath('UserProfile')) ".nuget/packages/pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) {
        # A throwaway project whose only job is to have NuGet download Pester into the package cache.
        $tmp = New-Item -ItemType Directory -Force (Join-Path $out 'pester-restore')
        Set-Content (Join-Path $tmp 'restore.csproj') @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$pesterVersion]" /></ItemGroup>
</Project>
"@
        Invoke-Native { dotnet restore (Join-Path $tmp 'restore.csproj') --nologo -v quiet }
    }
    $psd1
}

function Invoke-Test {
    Install-Dependencies
    Invoke-Package # builds too; the packaging test installs from out/repository
    $results = Join-Path $out 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    $passed = 0; $failed = 0; $skipped = 0; $runnerFailed = $false

    # xunit: every test project of the solution, counted from its TRX file.
    & dotnet test (Join-Path $root 'Cruddur.PowerShell.sln') -c $Configuration --no-build --nologo --logger trx --results-directory $results
    if ($LASTEXITCODE -ne 0) { $runnerFailed = $true }
    foreach ($trx in Get-ChildItem $results -Filter *.trx -ErrorAction Ignore) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed; $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        $skipped += [int]$counters.notExecuted
    }
    Write-Host "xunit: $passed passed, $failed failed, $skipped skipped"

    # Pester in a fresh pwsh: a binary module cannot be unloaded, so every run gets a clean process.
    $paths = if ($PesterPath) { $PesterPath } else { @(Join-Path $root 'tests') }
    $summary = Join-Path $results 'pester.json'
    $env:CRUDDUR_MODULE_PATH = Join-Path $moduleDir 'Cruddur.psd1'
    $env:CRUDDUR_REPO_ROOT = $root
    $pester = Get-PesterModule
    & dotnet pwsh -NoProfile -NonInteractive -Command {
        param($pester, $paths, $summary)
        Import-Module $pester
        $config = New-PesterConfiguration
        $config.Run.Path = $paths
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $r = Invoke-Pester -Configuration $config
        @{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; Skipped = $r.SkippedCount + $r.NotRunCount } |
            ConvertTo-Json | Set-Content $summary
    } -args $pester, $paths, $summary
    if (Test-Path $summary) {
        $p = Get-Content $summary -Raw | ConvertFrom-Json
        Write-Host "pester: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped"
        $passed += $p.Passed; $failed += $p.Failed; $skipped += $p.Skipped
    } else {
        $runnerFailed = $true
        Write-Host 'pester: did not finish'
    }

    if ($runnerFailed -and $failed -eq 0) { $failed = 1 } # a runner that crashed counts as a failure
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $repository = New-Item -ItemType Directory -Force (Join-Path $out 'repository')
    Get-ChildItem $repository -Filter 'Cruddur.*.nupkg' | Remove-Item
    & dotnet pwsh -NoProfile -NonInteractive -Command {
        param($repository, $module)
        $ErrorActionPreference = 'Stop'
        $name = 'CruddurLocal'
        if (Get-PSResourceRepository -Name $name -ErrorAction Ignore) { Unregister-PSResourceRepository -Name $name }
        Register-PSResourceRepository -Name $name -Uri $repository -Trusted
        try { Publish-PSResource -Path $module -Repository $name } finally { Unregister-PSResourceRepository -Name $name }
    } -args $repository.FullName, $moduleDir
    if ($LASTEXITCODE -ne 0) { throw 'Publish-PSResource failed' }
    Get-ChildItem $repository -Filter 'Cruddur.*.nupkg' | ForEach-Object { Write-Host "Packaged $($_.FullName)" }
}

function Invoke-Demo {
    Install-Dependencies
    Invoke-Build
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'demo/Invoke-CruddurDemo.ps1') -ModulePath (Join-Path $moduleDir 'Cruddur.psd1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Install-Dependencies
    Invoke-Build
    foreach ($script in Get-ChildItem (Join-Path $root 'bench') -Filter *.ps1 | Where-Object Name -NotLike '_*') {
        Write-Host "== $($script.Name)"
        & dotnet pwsh -NoProfile -NonInteractive -File $script.FullName -ModulePath (Join-Path $moduleDir 'Cruddur.psd1')
    }
}

function Invoke-Clean {
    Remove-Item $out -Recurse -Force -ErrorAction Ignore
    Get-ChildItem $root -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force
}

foreach ($t in $Task) {
    & "Invoke-$t"
}
