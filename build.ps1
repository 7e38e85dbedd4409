#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the Cruddur module.
.DESCRIPTION
    Tasks:
      Build    assemble out/Cruddur/<version>/ (psd1, dlls, format, help) and the ECS simulator in out/ecs-simulator/
      Test     Package, then xunit, then the Pester files (-PesterJobs at once, each in a fresh pwsh against the built
               module); prints 'N passed, N failed';
               a test running longer than -TestTimeoutSeconds is stopped and named, and the run fails
      Package  Build, then Publish-PSResource into the local folder repository out/repository (a .nupkg)
      Demo     Build, then the main job: a whole Cruddur deploy against the local stack (moto, ECS simulator,
               dockerd + registry, PostgreSQL)
      Bench    Build, then every bench/*.ps1 script
      Mutate   Stryker.NET over src/Cruddur.Core with the xunit tests (not part of Test: it takes long); report in
               out/mutation/reports/, then the mutation score per folder
      Clean    remove out/ and every bin/ and obj/
    Test and Demo install what they need on a fresh machine first (.ci/install-deps.sh, as root).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Mutate', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester test files or folders to run instead of all of tests/ (Test only).
    [string[]] $PesterPath,

    # A dotnet test --filter expression: run only the matching xunit tests (Test only), e.g. 'FullyQualifiedName~EnvFile'.
    [string] $XunitFilter,

    # Test only: a test (or a Pester setup block) running longer than this is stopped and the run fails naming it.
    # The clock also covers a test host's start and discovery, which took over 2 minutes on a 2-core machine at load 100;
    # most tests take a minute or two there, but the hostile leak scan runs every cmdlet in one test and took over 10 minutes
    # at load 30. A hang costs at most this, instead of the CI job's own limit.
    [ValidateRange(10, 3600)]
    [int] $TestTimeoutSeconds = 900,

    # Test only: Pester files run at once, each in its own process against its own stack. 1 streams each file's
    # output as it runs.
    [ValidateRange(1, 16)]
    [int] $PesterJobs = 3,

    # Mutate only: the folders (or .cs files) of src/Cruddur.Core whose code is mutated; each mutant runs the xunit tests
    # that cover it.
    [string[]] $MutateFolder = @('Deployments', 'EnvFiles', 'Database', 'Images', 'Exec'),

    # Mutate only: test runs at once. 1 by default: the build machine's cores are shared.
    [ValidateRange(1, 64)]
    [int] $Concurrency = 1
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

function Get-Descendant([int] $Id) {
    foreach ($child in Get-Process | Where-Object { $_.Parent -and $_.Parent.Id -eq $Id }) { $child; Get-Descendant $child.Id }
}

function Stop-PesterProcess([System.Diagnostics.Process] $Process) {
    # The test process goes first and alone: a test stack's watchdog sees its owner die and stops the stack's services
    # cleanly (up to 20 s). Whatever it started and is still there after that is killed.
    $descendants = @(Get-Descendant $Process.Id)
    $Process.Kill()
    $Process.WaitForExit()
    $deadline = [datetime]::UtcNow.AddSeconds(30)
    while (($descendants | Where-Object { -not $_.HasExited }) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 500 }
    $descendants | Where-Object { -not $_.HasExited } | ForEach-Object { $_.Kill() }
}

function Start-PesterFile([System.IO.FileInfo] $File, [string] $Summary, [string] $Pester) {
    # This very pwsh, started directly: `dotnet pwsh` would put two launcher processes between us and the test process.
    $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'tools/Invoke-PesterFile.ps1'),
        '-PesterModule', $Pester, '-Path', $File.FullName, '-SummaryPath', $Summary) { $psi.ArgumentList.Add($a) }
    $psi.WorkingDirectory = $root
    # A test file's process and what it starts (its stack's simulator, fresh pwsh processes) live a minute or two and run
    # mostly PowerShell script, whose dynamic methods tiered compilation compiles twice. Compiled once, fully optimised,
    # Deploy-CruddurService.Edge.Tests took 24 % less CPU (33.9 -> 25.7 s) in the same time; three files at once on two
    # cores are bound by CPU. A value the caller set is kept.
    if (-not $env:DOTNET_TieredCompilation) { $psi.Environment['DOTNET_TieredCompilation'] = '0' }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($psi)
    [pscustomobject]@{
        File = $File; Summary = $Summary; Process = $process; Stderr = $process.StandardError.ReadToEndAsync()
        Next = $process.StandardOutput.ReadLineAsync(); Running = "$($File.Name) (discovery)"
        Clock = [System.Diagnostics.Stopwatch]::StartNew(); Elapsed = [System.Diagnostics.Stopwatch]::StartNew()
        Output = [System.Collections.Generic.List[string]]::new(); Overrun = $null
    }
}

function Step-PesterFile($Job, [bool] $Live) {
    # Takes in what the file's process wrote so far; $true once it has finished or was stopped for running past
    # $TestTimeoutSeconds ($Job.Overrun then names the test or block). Pester's output is kept (or passed through when
    # $Live) except its Runtime debug messages, which only serve to know what is running.
    while ($Job.Next.IsCompleted) {
        $line = $Job.Next.Result
        if ($null -eq $line) {
            $Job.Process.WaitForExit()
            if ($err = $Job.Stderr.Result) { if ($Live) { Write-Host $err.TrimEnd() } else { $Job.Output.Add($err.TrimEnd()) } }
            return $true
        }
        $Job.Next = $Job.Process.StandardOutput.ReadLineAsync()
        $plain = $line -replace "`e\[[0-9;]*m", ''
        if ($plain -notmatch '^Runtime: (.*?)\s*$') { if ($Live) { Write-Host $line } else { $Job.Output.Add($line) }; continue }
        # The clock measures one test or one block's setup/teardown: it restarts whenever the next one begins.
        switch -Regex ($Matches[1]) {
            '^Entering path (.+)$' { if ($Matches[1] -notmatch '\.ps1$') { $Job.Running = "'$($Matches[1])'"; $Job.Clock.Restart() } }
            "^Executing body of block '(.+)'$" { $Job.Running = "block '$($Matches[1])' (its setup)"; $Job.Clock.Restart() }
            "^Left test (.+)$" { $Job.Running = "after test '$($Matches[1])' (a teardown)"; $Job.Clock.Restart() }
        }
    }
    if ($Job.Clock.Elapsed.TotalSeconds -le $TestTimeoutSeconds) { return $false }
    $Job.Overrun = $Job.Running
    Stop-PesterProcess $Job.Process
    $true
}

function Invoke-PesterFiles([System.IO.FileInfo[]] $Files, [string] $Results, [string] $Pester) {
    # Up to $PesterJobs files at once, each in its own process with its own stack (free ports, own dockerd socket):
    # most of a file's time is spent waiting on its stack, so a 2-core machine runs several well. The longest files
    # (by size, a fair guess of their time) start first, so none is left running alone at the end. With more than one
    # at a time, a file's output is printed in one piece when it finishes. Each finished file is written to the pipeline.
    $queue = [System.Collections.Generic.Queue[System.IO.FileInfo]]::new([System.IO.FileInfo[]] @($Files | Sort-Object Length -Descending))
    $active = [System.Collections.Generic.List[object]]::new()
    $live = $PesterJobs -eq 1
    while ($queue.Count -gt 0 -or $active.Count -gt 0) {
        while ($active.Count -lt $PesterJobs -and $queue.Count -gt 0) {
            $file = $queue.Dequeue()
            if ($live) { Write-Host "pester $($file.Name): started" }
            $active.Add((Start-PesterFile -File $file -Summary (Join-Path $Results "$($file.BaseName).pester.json") -Pester $Pester))
        }
        $finished = @($active | Where-Object { Step-PesterFile $_ $live })
        foreach ($job in $finished) {
            $null = $active.Remove($job)
            $job.Process.Dispose()
            if (-not $live) { Write-Host "== pester $($job.File.Name)"; foreach ($l in $job.Output) { Write-Host $l } }
            $job
        }
        if ($finished.Count -eq 0) { $null = [System.Threading.Tasks.Task]::WaitAny([System.Threading.Tasks.Task[]] @($active | ForEach-Object Next), 250) }
    }
}

function Reset-IgnoredInterrupt {
    # Started in the background by a script without job control (as CI may start us), this process ignores SIGINT and
    # SIGQUIT and so would every test process it starts. The tests press Ctrl+C as a user's terminal does: they need the
    # default handling. Only an ignored signal is reset: an interactive pwsh keeps its own Ctrl+C handler.
    if (-not $IsLinux) { return }
    $ignored = [Convert]::ToUInt64(((Get-Content /proc/self/status) -match '^SigIgn:' -replace '^SigIgn:\s*'), 16)
    if (($ignored -band 0x6) -eq 0) { return } # bit n-1 is signal n: SIGINT 2, SIGQUIT 3
    Add-Type -Namespace CruddurBuild -Name Libc -MemberDefinition '[DllImport("libc")] public static extern IntPtr signal(int signum, IntPtr handler);'
    foreach ($signal in 2, 3) { $null = [CruddurBuild.Libc]::signal($signal, [IntPtr]::Zero) }
}

function Invoke-Test {
    Reset-IgnoredInterrupt
    Install-Dependencies
    Invoke-Package # builds too; the packaging test installs from out/repository
    $results = Join-Path $out 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    $passed = 0; $failed = 0; $skipped = 0; $runnerFailed = $false
    $failedNames = [System.Collections.Generic.List[string]]::new() # repeated before the last line, so a log's tail names them

    # xunit: every test project of the solution, counted from its TRX file. It runs before Pester, not beside it: the
    # simulator's tests measure real milliseconds, which a machine busy with three stacks does not keep. xunit v2 bounds
    # only async tests ([Fact(Timeout)]), so the time limit is the test platform's: blame-hang stops a test host in which no
    # test started or finished for the limit, and its sequence file names the tests that were still running.
    $filter = if ($XunitFilter) { '--filter', $XunitFilter } else { @() }
    & dotnet test (Join-Path $root 'Cruddur.PowerShell.sln') -c $Configuration --no-build --nologo --logger trx --results-directory $results `
        --blame-hang --blame-hang-timeout "$($TestTimeoutSeconds)s" --blame-hang-dump-type none @filter
    if ($LASTEXITCODE -ne 0) { $runnerFailed = $true }
    foreach ($trx in Get-ChildItem $results -Filter *.trx -ErrorAction Ignore) {
        $xml = [xml](Get-Content -LiteralPath $trx.FullName -Raw)
        $counters = $xml.TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed; $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        $skipped += [int]$counters.notExecuted
        # A filter that matches nothing in a project leaves its TRX file without a Results element.
        foreach ($r in $xml.SelectNodes("//*[local-name()='UnitTestResult']") | Where-Object outcome -NE 'Passed' | Where-Object outcome -NE 'NotExecuted') {
            $message = $r.SelectSingleNode(".//*[local-name()='Message']")
            $failedNames.Add("xunit: $($r.testName)$(if ($message) { " — $($message.InnerText)" })")
        }
    }
    foreach ($sequence in Get-ChildItem $results -Recurse -Filter 'Sequence_*.xml' -ErrorAction Ignore) {
        foreach ($test in ([xml](Get-Content -LiteralPath $sequence.FullName -Raw)).TestSequence.Test | Where-Object Completed -EQ 'False') {
            Write-Host "xunit: $($test.Name) did not finish within $TestTimeoutSeconds s: stopped"
            $failedNames.Add("xunit: $($test.Name) (time limit)")
            $failed++
        }
    }
    Write-Host "xunit: $passed passed, $failed failed, $skipped skipped"

    # Pester, each file in a fresh pwsh: a binary module cannot be unloaded, and AWSSDK.Core fixes the AWS config file
    # paths at its first lookup in a process, so files must not share one.
    $paths = if ($PesterPath) { $PesterPath } else { @(Join-Path $root 'tests') }
    $files = Get-ChildItem $paths -Recurse -Filter '*.Tests.ps1' | Sort-Object FullName
    $env:CRUDDUR_MODULE_PATH = Join-Path $moduleDir 'Cruddur.psd1'
    $env:CRUDDUR_REPO_ROOT = $root
    $pester = Get-PesterModule
    $times = [System.Collections.Generic.List[object]]::new()
    $slowest = [System.Collections.Generic.List[object]]::new()
    Invoke-PesterFiles -Files $files -Results $results -Pester $pester | ForEach-Object {
        $job = $_
        $name = $job.File.Name
        $seconds = [int]$job.Elapsed.Elapsed.TotalSeconds
        $times.Add([pscustomobject]@{ File = $name; Seconds = $seconds })
        if ($job.Overrun) {
            Write-Host "pester ${name}: $($job.Overrun) did not finish within $TestTimeoutSeconds s: stopped"
            $failedNames.Add("pester ${name}: $($job.Overrun) (time limit)")
            $failed++
        } elseif (Test-Path $job.Summary) {
            $p = Get-Content $job.Summary -Raw | ConvertFrom-Json
            Write-Host "pester ${name}: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped ($seconds s)"
            $passed += $p.Passed; $failed += $p.Failed; $skipped += $p.Skipped
            foreach ($t in @($p.Tests) + @{ Name = '(outside its tests: start-up, stack, BeforeAll/AfterAll)'; Seconds = $p.OutsideTestsSeconds }) {
                if ($t) { $slowest.Add([pscustomobject]@{ Name = "${name}: $($t.Name)"; Seconds = $t.Seconds }) }
            }
            foreach ($n in $p.FailedNames) { $failedNames.Add("pester ${name}: $n") }
        } else {
            $runnerFailed = $true
            Write-Host "pester ${name}: did not finish"
            $failedNames.Add("pester ${name}: did not finish")
        }
    }
    # Where the time went, longest first: the file to split or speed up is at the top.
    Write-Host "pester time per file ($PesterJobs at once): $(($times | Sort-Object Seconds -Descending | ForEach-Object { "$($_.File) $($_.Seconds) s" }) -join ', ')"
    Write-Host "slowest pester tests: $(($slowest | Sort-Object Seconds -Descending | Select-Object -First 15 | ForEach-Object { "$($_.Name) $($_.Seconds) s" }) -join '; ')"

    if ($runnerFailed -and $failed -eq 0) { $failed = 1; $failedNames.Add('a test runner exited with an error') }
    foreach ($n in $failedNames) {
        # One line each, with the start of the error: the end of a CI log may be all a reader of the run gets.
        $line = $n -replace '\s+', ' '
        Write-Host "failed: $(if ($line.Length -gt 1500) { $line.Substring(0, 1500) + '…' } else { $line })"
    }
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

function Invoke-Mutate {
    Reset-IgnoredInterrupt # the tests press Ctrl+C, as Invoke-Test says
    $output = Join-Path $out 'mutation'
    Remove-Item $output -Recurse -Force -ErrorAction Ignore
    # From bash (dotnet pwsh ./build.ps1 Mutate -MutateFolder a.cs,b.cs) the list arrives as one string.
    $mutate = foreach ($folder in $MutateFolder -split ',') { '--mutate', ($folder -like '*.cs' ? "**/$folder" : "**/$folder/**/*.cs") }
    # tests/Cruddur.Core.Tests/stryker-config.json leaves out mutants inside WriteVerbose/WriteProgress calls: that text is
    # diagnostics, not behaviour. Warnings, service events and error messages are mutated.
    # Stryker builds in Debug and swaps the mutated Cruddur.Core.dll into the test project's output: a Release build and
    # test run can go on beside it. A mutant's tests stop at the first that fails, so the report names one killing test.
    Push-Location (Join-Path $root 'tests/Cruddur.Core.Tests')
    try {
        & dotnet dotnet-stryker --project Cruddur.Core.csproj --configuration Debug --concurrency $Concurrency --output $output `
            --reporter html --reporter json --reporter progress --skip-version-check @mutate
        if ($LASTEXITCODE -ne 0) { throw "Stryker failed (exit code $LASTEXITCODE)" }
    } finally { Pop-Location }

    # The score per folder: killed (incl. timed out) of those that were tested or found no test; survivors listed.
    $report = Get-Content (Join-Path $output 'reports/mutation-report.json') -Raw | ConvertFrom-Json -AsHashtable
    $rows = foreach ($file in $report.files.GetEnumerator()) {
        $folder = if ($file.Key -match 'Cruddur\.Core[\\/]([^\\/]+)[\\/]') { $Matches[1] } else { '.' }
        foreach ($m in $file.Value.mutants) {
            [pscustomobject]@{ Folder = $folder; File = Split-Path $file.Key -Leaf; Line = $m.location.start.line
                Mutator = $m.mutatorName; Replacement = $m.replacement; Status = $m.status }
        }
    }
    $survivors = $rows | Where-Object Status -In 'Survived', 'NoCoverage'
    $survivors | Sort-Object Folder, File, Line | Format-Table Folder, File, Line, Status, Mutator, Replacement -AutoSize |
        Out-String -Width 300 | Set-Content (Join-Path $output 'survivors.txt')
    $rows | Group-Object Folder | Sort-Object Name | ForEach-Object {
        $killed = @($_.Group | Where-Object Status -In 'Killed', 'Timeout').Count
        $alive = @($_.Group | Where-Object Status -In 'Survived', 'NoCoverage').Count
        if ($killed + $alive -eq 0) { return } # a folder outside -MutateFolder
        $score = [math]::Round(100 * $killed / ($killed + $alive), 1)
        Write-Host ('{0,-12} {1,5:0.0} %  ({2} killed, {3} survived or not covered)' -f $_.Name, $score, $killed, $alive)
    }
    Write-Host "Report: $(Join-Path $output 'reports/mutation-report.html'); survivors: $(Join-Path $output 'survivors.txt')"
}

function Invoke-Clean {
    Remove-Item $out -Recurse -Force -ErrorAction Ignore
    Get-ChildItem $root -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force
}

foreach ($t in $Task) {
    & "Invoke-$t"
}
