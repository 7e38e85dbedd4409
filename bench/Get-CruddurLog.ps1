#Requires -Version 7.4
<#
.SYNOPSIS
    Get-CruddurLog -Tail 100 over a 5-task service against `aws logs filter-log-events` (CLI v1: no `logs tail`) with the same
    group, stream names and start time on the same moto, side by side; then the memory of reading 100k events; then
    Invoke-CruddurTask's round trip against `aws ecs run-task` + `aws ecs wait tasks-stopped` + `aws ecs describe-tasks` with the
    same simulator time scale.
.DESCRIPTION
    Prints medians and ratios (ours / baseline). The CLI has to list everything from the start time and keep the last 100
    itself (here: --query 'events[-100:]'); so does FilterLogEvents under Get-CruddurLog, which streams pages and keeps a ring.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Iterations = 3,
    [int] $EventsPerTask = 2000
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
$env:CRUDDUR_MODULE_PATH = $ModulePath
. (Join-Path $repo 'tests/Pester/common.ps1') # the module, the stack harness, Invoke-Aws
. (Join-Path $repo 'tests/Pester/logged-service.ps1')

$stack = Start-CruddurStack Ecs, Moto
$previous = Set-CruddurStackEnvironment $stack
$work = Join-Path $stack.Root 'bench-logs'
New-Item -ItemType Directory $work -Force | Out-Null
$median = { param($v) $s = @($v | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }
try {
    Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
    Invoke-Aws logs create-log-group --log-group-name cruddur | Out-Null
    New-LoggedService backend-flask $work -DesiredCount 5 | Out-Null
    $ids = Get-TaskIds backend-flask
    $since = (Get-EpochMs) - 3600000
    foreach ($id in $ids) {
        $base = (Get-EpochMs) - 1800000
        Add-LogLines "backend-flask/backend-flask/$id" @(foreach ($i in 1..$EventsPerTask) { @{ timestamp = $base + $i; message = "GET /api/activities/home $i" } })
    }
    $streams = $ids | ForEach-Object { "backend-flask/backend-flask/$_" }

    $ours = { $null = Get-CruddurLog backend-flask -Tail 100 -Since 1h }
    $baseline = {
        $null = aws logs filter-log-events --log-group-name cruddur --log-stream-names @streams --start-time $since --query 'events[-100:]' --output json
        if ($LASTEXITCODE) { throw 'aws logs filter-log-events failed' }
    }
    & $ours; & $baseline
    $t = @{ ours = @(); baseline = @() }
    for ($i = 0; $i -lt $Iterations; $i++) { $t.ours += (Measure-Command $ours).TotalMilliseconds; $t.baseline += (Measure-Command $baseline).TotalMilliseconds }
    $o = & $median $t.ours; $b = & $median $t.baseline
    '{0,-62} {1,8:N0} ms' -f "Get-CruddurLog -Tail 100 (5 tasks, $($EventsPerTask * 5) events)", $o
    '{0,-62} {1,8:N0} ms' -f 'aws logs filter-log-events ... --query events[-100:]', $b
    '{0,-62} {1,8:N2}' -f 'ratio (ours / baseline)', ($o / $b)

    # 100k events: what reading them all costs in this process's managed heap, streamed to the pipeline and counted.
    $id = $ids[0]
    $base = (Get-EpochMs) - 1200000
    Add-LogLines "backend-flask/backend-flask/$id" @(foreach ($i in 1..(100000 - $EventsPerTask * 5)) { @{ timestamp = $base + [math]::Floor($i / 3); message = "bulk line $i" } })
    [GC]::Collect(); $before = [GC]::GetTotalMemory($true)
    $peak = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
    $count = 0; $clock = [Diagnostics.Stopwatch]::StartNew()
    Get-CruddurLog backend-flask -Since 1h | ForEach-Object { $count++ }
    $elapsed = $clock.Elapsed.TotalMilliseconds
    $after = [GC]::GetTotalMemory($false)
    $tail = Measure-Command { $null = Get-CruddurLog backend-flask -Since 1h -Tail 100 }
    '{0,-62} {1,8:N0} events in {2:N0} ms; managed heap after {3:N1} MB (+{4:N1} MB); peak working set {5:N0} -> {6:N0} MB' -f 'Get-CruddurLog, all events', $count, $elapsed,
        ($after / 1MB), (($after - $before) / 1MB), ($peak / 1MB), ([System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB)
    '{0,-62} {1,8:N0} ms' -f 'Get-CruddurLog -Tail 100 over the 100k events', $tail.TotalMilliseconds

    # The one-off round trip, same simulator, same time scale.
    $oursTask = { $null = Invoke-CruddurTask backend-flask -Command "sh -c 'echo migrated'" -ErrorAction Stop }
    $baselineTask = {
        $overrides = '{"containerOverrides":[{"name":"backend-flask","command":["sh","-c","echo migrated"]}]}'
        $net = 'awsvpcConfiguration={subnets=[subnet-0a1],securityGroups=[sg-0b2],assignPublicIp=ENABLED}'
        $arn = aws ecs run-task --cluster cruddur --task-definition backend-flask --launch-type FARGATE --network-configuration $net --overrides $overrides --query 'tasks[0].taskArn' --output text
        aws ecs wait tasks-stopped --cluster cruddur --tasks $arn
        $exit = aws ecs describe-tasks --cluster cruddur --tasks $arn --query "tasks[0].containers[?name=='backend-flask'].exitCode | [0]" --output text
        if ($exit -ne '0') { throw "exit $exit" }
    }
    & $oursTask; & $baselineTask
    $t = @{ ours = @(); baseline = @() }
    for ($i = 0; $i -lt $Iterations; $i++) { $t.ours += (Measure-Command $oursTask).TotalMilliseconds; $t.baseline += (Measure-Command $baselineTask).TotalMilliseconds }
    $o = & $median $t.ours; $b = & $median $t.baseline
    '{0,-62} {1,8:N0} ms' -f 'Invoke-CruddurTask (run, wait, logs, result)', $o
    '{0,-62} {1,8:N0} ms' -f 'aws ecs run-task + wait tasks-stopped + describe-tasks', $b
    '{0,-62} {1,8:N2}' -f 'ratio (ours / baseline)', ($o / $b)
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
