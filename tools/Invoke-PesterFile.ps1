#Requires -Version 7.4
<#
.SYNOPSIS
    Runs one Pester file for build.ps1's Test task, in a process of its own, and writes its counts to a JSON file.
.DESCRIPTION
    Pester's 'Runtime' debug messages are switched on: they say which block or test is starting, so build.ps1 can
    name the test that exceeds its time limit (Detailed output names a test only when it has finished).
#>
param(
    [Parameter(Mandatory)] [string] $PesterModule,
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $SummaryPath
)
Import-Module $PesterModule
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Debug.WriteDebugMessages = $true
$config.Debug.WriteDebugMessagesFrom = 'Runtime'
$r = Invoke-Pester -Configuration $config
# Each failure with its error: build.ps1 prints them at the end of the run.
function Get-Failure($Name, $ErrorRecord) { if ($ErrorRecord) { "$Name — $(@($ErrorRecord)[0])" } else { "$Name" } }
$failedNames = @(foreach ($t in @($r.Failed) + @($r.FailedBlocks)) { Get-Failure $t.ExpandedPath $t.ErrorRecord }) +
    @(foreach ($c in $r.FailedContainers) { Get-Failure "$($c.Item)" $c.ErrorRecord })
@{
    Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
    Skipped = $r.SkippedCount + $r.NotRunCount; FailedNames = @($failedNames | Where-Object { $_ })
    # Where the file's time went, for build.ps1 to list the slowest: each test's own time (with its BeforeEach/AfterEach),
    # and what the file spent outside its tests (start-up, discovery, BeforeAll/AfterAll, such as starting the stack).
    Tests = @(foreach ($t in $r.Tests) { @{ Name = $t.ExpandedPath; Seconds = [math]::Round($t.Duration.TotalSeconds, 1) } })
    OutsideTestsSeconds = [math]::Round(($r.Duration - [timespan]::FromTicks(($r.Tests | ForEach-Object { $_.Duration.Ticks } | Measure-Object -Sum).Sum)).TotalSeconds, 1)
} | ConvertTo-Json | Set-Content $SummaryPath
