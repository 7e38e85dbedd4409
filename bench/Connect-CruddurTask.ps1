#Requires -Version 7.4
<#
.SYNOPSIS
    Connect-CruddurTask: time to reach session-manager-plugin against the seed's bin/backend/connect, and the native session's
    time to the first output byte and throughput.
.DESCRIPTION
    Everything runs against the ECS simulator (whose data channel runs each command for real in a pty) and moto.
    1. -UsePlugin (task lookup + every prerequisite check + ExecuteCommand) against aws ecs execute-command with a task id the
       user already copied, both with a stand-in session-manager-plugin that exits at once: the time around the session.
       Median of each and the ratio (ours / baseline).
    2. Native -Command 'echo ok': from the cmdlet's start to its first output line (median).
    3. Native -Command writing 10 MiB: throughput in MiB/s (median).
    The real plugin's first-byte and throughput need a plugin built from source on PATH; with the stand-in they are not measured.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Iterations = 5
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')

$stack = Start-CruddurStack Ecs, Moto
$previous = Set-CruddurStackEnvironment $stack
$bin = Join-Path $stack.Root 'bench-plugin'
$originalPath = $env:PATH
try {
    New-Item -ItemType Directory $bin -Force | Out-Null
    Set-Content (Join-Path $bin 'session-manager-plugin') "#!/bin/bash`nif [ `$# -eq 1 ] && [ `"`$1`" = --version ]; then echo 1.2.707.0; fi`nexit 0`n"
    chmod +x (Join-Path $bin 'session-manager-plugin')
    $env:PATH = $bin + [IO.Path]::PathSeparator + $env:PATH

    function Invoke-Ecs([string] $Operation, [hashtable] $Body) {
        Invoke-RestMethod -Method Post -Uri $stack.EcsUrl -ContentType 'application/x-amz-json-1.1' `
            -Headers @{ 'X-Amz-Target' = "AmazonEC2ContainerServiceV20141113.$Operation" } -Body ($Body | ConvertTo-Json -Depth 20 -Compress)
    }
    aws iam create-role --role-name CruddurTaskRole --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}' | Out-Null
    aws iam put-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateDataChannel","ssmmessages:OpenDataChannel","ssmmessages:OpenControlChannel","ssmmessages:CreateControlChannel"],"Resource":"*"}]}' | Out-Null
    Invoke-Ecs CreateCluster @{ clusterName = 'cruddur' } | Out-Null
    Invoke-Ecs RegisterTaskDefinition @{ family = 'backend-flask'; taskRoleArn = 'arn:aws:iam::123456789012:role/CruddurTaskRole'; networkMode = 'awsvpc'; cpu = '256'; memory = '512'
        containerDefinitions = @(@{ name = 'xray'; image = 'xray' }, @{ name = 'backend-flask'; image = 'backend-flask'; linuxParameters = @{ initProcessEnabled = $true } }) } | Out-Null
    Invoke-Ecs CreateService @{ cluster = 'cruddur'; serviceName = 'backend-flask'; taskDefinition = 'backend-flask'; desiredCount = 1; enableExecuteCommand = $true } | Out-Null
    $deadline = [datetime]::UtcNow.AddSeconds(60)
    do {
        $arn = @((Invoke-Ecs ListTasks @{ cluster = 'cruddur'; serviceName = 'backend-flask' }).taskArns)[0]
        $running = $arn -and (Invoke-Ecs DescribeTasks @{ cluster = 'cruddur'; tasks = @($arn) }).tasks[0].lastStatus -eq 'RUNNING'
        if (-not $running) { if ([datetime]::UtcNow -gt $deadline) { throw 'no running task' }; Start-Sleep -Milliseconds 50 }
    } until ($running)
    $taskId = ($arn -split '/')[-1]

    $ours = { Connect-CruddurTask -Service backend-flask -Command 'true' -UsePlugin }
    $baseline = {
        aws ecs execute-command --endpoint-url $stack.EcsUrl --region us-east-1 --cluster cruddur --task $taskId --container backend-flask --command '/bin/bash' --interactive | Out-Null
        if ($LASTEXITCODE) { throw "aws ecs execute-command failed: $LASTEXITCODE" }
    }
    & $ours; & $baseline  # warm-up (module load, first connections)
    $times = @{ ours = @(); baseline = @() }
    for ($i = 0; $i -lt $Iterations; $i++) {
        $times.ours += (Measure-Command $ours).TotalMilliseconds
        $times.baseline += (Measure-Command $baseline).TotalMilliseconds
    }
    $median = { param($v) $s = @($v | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }
    $o = & $median $times.ours; $b = & $median $times.baseline
    '{0,-46} {1,8:N0} ms' -f 'Connect-CruddurTask -Service (checks + exec)', $o
    '{0,-46} {1,8:N0} ms' -f 'aws ecs execute-command --task <id> (seed)', $b
    'ratio ours/baseline: {0:N2} ({1} iterations, medians)' -f ($o / $b), $Iterations

    # Native: the first output line arrives as an information record while the session is still open.
    $firstByte = {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $first = $null
        Connect-CruddurTask -Service backend-flask -Command 'echo ok' 6>&1 | ForEach-Object { if ($null -eq $first -and $_ -is [Management.Automation.InformationRecord]) { $first = $watch.Elapsed.TotalMilliseconds } }
        $first
    }
    $tenMiB = { Connect-CruddurTask -Service backend-flask -Command 'head -c 10485760 /dev/zero | tr "\000" a | fold -w 1023' -InformationAction Ignore }
    & $firstByte | Out-Null
    $first = @(for ($i = 0; $i -lt $Iterations; $i++) { & $firstByte })
    $rates = @(for ($i = 0; $i -lt [math]::Max(1, [int]($Iterations / 2)); $i++) {
        $result = $null
        $seconds = (Measure-Command { $result = & $tenMiB }).TotalSeconds
        $received = ($result.Output | Measure-Object -Property Length -Sum).Sum
        if ($received -ne 10MB) { throw "10 MiB run returned $received characters" }
        10 / $seconds
    })
    '{0,-46} {1,8:N0} ms' -f "native -Command 'echo ok': first output line", (& $median $first)
    '{0,-46} {1,8:N1} MiB/s' -f 'native -Command, 10 MiB of output', (& $median $rates)
} finally {
    $env:PATH = $originalPath
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
