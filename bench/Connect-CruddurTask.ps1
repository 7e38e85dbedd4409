#Requires -Version 7.4
<#
.SYNOPSIS
    Time to reach session-manager-plugin: Connect-CruddurTask (task lookup + every prerequisite check + ExecuteCommand) against
    the seed's bin/backend/connect (aws ecs execute-command with a task id the user already copied), side by side.
.DESCRIPTION
    Both run against the ECS simulator and moto with a stand-in session-manager-plugin that exits at once, so what is timed is
    everything before and around the session. Prints the median of each and the ratio (ours / baseline).
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

    $ours = { Connect-CruddurTask -Service backend-flask -Command 'true' }
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
} finally {
    $env:PATH = $originalPath
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
