#Requires -Version 7.4
<#
.SYNOPSIS
    Deploy-CruddurService against the seed's aws CLI deploy, in one run against the same ECS simulator, with ratios.
.DESCRIPTION
    1. One deploy without watching: Deploy-CruddurService -NoWait in a warm session versus the seed's bin/backend/deploy
       (aws ecs describe-task-definition + aws ecs update-service --force-new-deployment). Medians of -Runs, alternated.
    2. -Services services over -Clusters clusters, released with a new image each (one registration per service) and
       watched together: wall time, API calls per operation, calls ECS throttled, and the floor ECS's documented token
       buckets alone impose on these calls (each bucket full at the start: calls beyond its burst at its refill rate, scaled
       like the stack's clock). With -EcsQuotas the simulator enforces the buckets as ECS does. Up to 100 services, also a
       loop of aws ecs update-service followed by aws ecs wait services-stable (10 services per wait, the API's limit).
    3. Latency of failure reporting: from the simulator's "deployment failed" event to the moment the cmdlet reports it.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 5,
    [int] $Services = 50,
    [int] $Clusters = 1,
    # Simulated ECS seconds per real second: 0.1 makes a task start in about 2 s.
    [double] $EcsTimeScale = 0.1,
    # The simulator throttles as ECS does (its documented token buckets, refilled on its clock).
    [switch] $EcsQuotas
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')

$stack = Start-CruddurStack Ecs, Moto -EcsTimeScale $EcsTimeScale -EcsQuotas:$EcsQuotas
$previous = Set-CruddurStackEnvironment $stack
# Deploy-CruddurService's default stability window (95 s of ECS time) on the simulator's clock, when the module has one.
if ((Get-Command Deploy-CruddurService).Parameters.ContainsKey('StableFor')) {
    $PSDefaultParameterValues['Deploy-CruddurService:StableFor'] = [timespan]::FromSeconds(95 * $EcsTimeScale)
}
$work = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ("cruddur-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8)))
function Get-Calls { Invoke-RestMethod "$($stack.EcsUrl)/_sim/calls" }
function Get-CallDelta($before, $after) {
    $d = [ordered]@{}
    foreach ($p in $after.PSObject.Properties) { $n = $p.Value - [int]$before.($p.Name); if ($n) { $d[$p.Name] = $n } }
    $d
}
function Median($values) { $s = @($values | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }
function New-Definitions([string] $Name, [string] $Folder, [switch] $CircuitBreaker, [string] $Scenario = 'healthy', [string] $Tag = '1', [string] $Cluster = 'cruddur') {
    Set-Content (Join-Path $Folder "$Name.json") (@{
        family = $Name; networkMode = 'awsvpc'; cpu = '256'; memory = '512'; requiresCompatibilities = @('FARGATE')
        containerDefinitions = @(@{ name = $Name; image = "registry.local/${Name}:$Tag"; environment = @(@{ name = 'CRUDDUR_SIM_SCENARIO'; value = $Scenario }) })
    } | ConvertTo-Json -Depth 6)
    # The network the seed's service files name: the deploy's checks look for it as ECS would.
    $service = @{ cluster = $Cluster; serviceName = $Name; desiredCount = 1; launchType = 'FARGATE'
        networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = $network.Subnets; securityGroups = @($network.SecurityGroup) } } }
    if ($CircuitBreaker) { $service.deploymentConfiguration = @{ deploymentCircuitBreaker = @{ enable = $true; rollback = $false } } }
    Set-Content (Join-Path $Folder "service-$Name.json") ($service | ConvertTo-Json -Depth 6)
}

try {
    aws ecs create-cluster --cluster-name cruddur --output text | Out-Null
    $vpc = aws ec2 describe-vpcs --filters Name=isDefault,Values=true --query 'Vpcs[0].VpcId' --output text
    $network = @{
        Subnets = @((aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" --query 'Subnets[].SubnetId' --output text) -split '\s+')
        SecurityGroup = aws ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpc" Name=group-name,Values=default --query 'SecurityGroups[0].GroupId' --output text
    }

    # --- 1. one deploy, not watched
    New-Definitions backend-flask $work
    Deploy-CruddurService backend-flask -TaskDefinitionFile $work -ServiceDefinitionFile $work | Out-Null
    $seedDeploy = Join-Path $work 'deploy'
    # The seed's bin/backend/deploy, verbatim but for the echo lines.
    Set-Content $seedDeploy @'
#! /usr/bin/bash
CLUSTER_NAME="cruddur"
SERVICE_NAME="backend-flask"
TASK_DEFINITION_FAMILY="backend-flask"
LATEST_TASK_DEFINITION_ARN=$(aws ecs describe-task-definition \
--task-definition $TASK_DEFINITION_FAMILY \
--query 'taskDefinition.taskDefinitionArn' \
--output text)
aws ecs update-service \
--cluster $CLUSTER_NAME \
--service $SERVICE_NAME \
--task-definition $LATEST_TASK_DEFINITION_ARN \
--force-new-deployment > /dev/null
'@
    $ours = [Collections.Generic.List[double]]::new(); $seed = [Collections.Generic.List[double]]::new()
    Deploy-CruddurService backend-flask -NoWait | Out-Null # warm: the session has loaded and resolved everything once
    bash $seedDeploy
    for ($i = 0; $i -lt $Runs; $i++) {
        $w = [Diagnostics.Stopwatch]::StartNew(); Deploy-CruddurService backend-flask -NoWait | Out-Null; $ours.Add($w.Elapsed.TotalMilliseconds)
        $w = [Diagnostics.Stopwatch]::StartNew(); bash $seedDeploy; if ($LASTEXITCODE) { throw 'seed deploy failed' }; $seed.Add($w.Elapsed.TotalMilliseconds)
    }
    $o = Median $ours; $s = Median $seed
    [pscustomobject]@{ Case = '1. one deploy, -NoWait (warm session)'; Ours = "$([math]::Round($o)) ms"; Baseline = "$([math]::Round($s)) ms (bin/backend/deploy, aws CLI)"; Ratio = "$([math]::Round($s / $o, 1))x faster" } | Format-List

    # --- 2. N services over C clusters, each released with a new image, watched together
    $clusterNames = @(if ($Clusters -le 1) { 'cruddur' } else { 1..$Clusters | ForEach-Object { 'cruddur-{0:d2}' -f $_ } })
    foreach ($c in $clusterNames) { aws ecs create-cluster --cluster-name $c --output text | Out-Null }
    $rows = for ($i = 0; $i -lt $Services; $i++) { [pscustomobject]@{ Service = 'svc-{0:d4}' -f ($i + 1); Cluster = $clusterNames[$i % $clusterNames.Count] } }
    foreach ($r in $rows) { New-Definitions $r.Service $work -Cluster $r.Cluster }
    $created = @($rows | Deploy-CruddurService -TaskDefinitionFile $work -ServiceDefinitionFile $work)
    if (@($created | Where-Object Outcome -EQ 'Succeeded').Count -ne $Services) { throw "creating the $Services services failed" }
    foreach ($r in $rows) { New-Definitions $r.Service $work -Cluster $r.Cluster -Tag 2 }

    $quotas = Invoke-RestMethod "$($stack.EcsUrl)/_sim/quotas"
    $scale = if ($env:CRUDDUR_ECS_QUOTA_SCALE) { [double]$env:CRUDDUR_ECS_QUOTA_SCALE } else { 1 }
    # The floor assumes every bucket full at the start: wait for the creation's calls to be refilled (ours and the simulator's).
    Start-Sleep -Milliseconds (1000 * ($quotas.buckets | ForEach-Object { $_.burst / ($_.perSecond * $scale) } | Measure-Object -Maximum).Maximum)
    $throttledBefore = ($quotas.throttled.PSObject.Properties.Value | Measure-Object -Sum).Sum
    $before = Get-Calls
    $w = [Diagnostics.Stopwatch]::StartNew()
    $result = $rows | Deploy-CruddurService -TaskDefinitionFile $work -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -or $_.Outcome }
    $oursTime = $w.Elapsed.TotalSeconds
    $oursCalls = Get-CallDelta $before (Get-Calls)
    $throttled = ((Invoke-RestMethod "$($stack.EcsUrl)/_sim/quotas").throttled.PSObject.Properties.Value | Measure-Object -Sum).Sum - $throttledBefore
    $deployed = @($result | Where-Object { $_.Outcome -eq 'Succeeded' })
    # Poll rounds: the verbose log names every DescribeServices call; the first ceil(N/10) are the look before deploying.
    $describeLog = @($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'ECS DescribeServices*' })
    # The time the documented buckets alone impose on these calls: per bucket, the calls beyond its burst at its refill rate.
    $floors = foreach ($b in $quotas.buckets) {
        $n = ($b.actions | ForEach-Object { [int]$oursCalls[$_] } | Measure-Object -Sum).Sum
        [pscustomobject]@{ Bucket = $b.bucket; Calls = $n; Seconds = [math]::Max(0, $n - $b.burst) / ($b.perSecond * $scale) }
    }
    $floor = $floors | Sort-Object Seconds -Descending | Select-Object -First 1
    [pscustomobject]@{
        Case             = "2. $Services services in $($clusterNames.Count) cluster(s), each released with a new image (quotas $(if ($EcsQuotas) { 'enforced' } else { 'not enforced' }) by the simulator, x$scale refill)"
        Ours             = "$([math]::Round($oursTime, 1)) s, $(($oursCalls.Values | Measure-Object -Sum).Sum) API calls, $throttled throttled; $($deployed.Count)/$Services succeeded"
        CallsPerOperation = ($oursCalls.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '
        DescribePerRound = "ceil($Services/10) = $([math]::Ceiling($Services / 10)) per round while all are pending; $($describeLog.Count) DescribeServices in all"
        Floor            = "$([math]::Round($floor.Seconds, 1)) s: the $($floor.Bucket) bucket, $($floor.Calls) calls"
        RatioToFloor     = if ($floor.Seconds -gt 0) { "$([math]::Round($oursTime / $floor.Seconds, 2))x the floor (target <= 1.2x when it dominates)" } else { 'no bucket runs dry: no floor' }
    } | Format-List

    if ($Services -le 100) {
        $before = Get-Calls
        $w = [Diagnostics.Stopwatch]::StartNew()
        foreach ($r in $rows) { aws ecs update-service --cluster $r.Cluster --service $r.Service --force-new-deployment --output text --query 'service.serviceName' | Out-Null }
        foreach ($group in $rows | Group-Object Cluster) {
            $names = @($group.Group.Service)
            for ($i = 0; $i -lt $names.Count; $i += 10) {
                aws ecs wait services-stable --cluster $group.Name --services $names[$i..([math]::Min($i + 9, $names.Count - 1))]
                if ($LASTEXITCODE) { throw 'aws ecs wait services-stable failed' }
            }
        }
        $cliTime = $w.Elapsed.TotalSeconds
        $cliCalls = Get-CallDelta $before (Get-Calls)
        [pscustomobject]@{
            Case     = "2b. the same services redeployed by the aws CLI, for comparison"
            Baseline = "$([math]::Round($cliTime, 1)) s, $(($cliCalls.Values | Measure-Object -Sum).Sum) API calls ($(($cliCalls.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '))"
            Ratio    = "$([math]::Round($cliTime / $oursTime, 1))x faster (ours also registered a new revision per service, which the CLI loop does not)"
        } | Format-List
    }

    # --- 3. failure reporting latency
    New-Definitions broken $work -CircuitBreaker
    Deploy-CruddurService broken -TaskDefinitionFile $work -ServiceDefinitionFile $work | Out-Null
    New-Definitions broken $work -CircuitBreaker -Scenario unhealthy
    $latencies = foreach ($i in 1..$Runs) {
        $failure = $null
        try { Deploy-CruddurService broken -TaskDefinitionFile $work -NoRollback -ErrorAction Stop | Out-Null }
        catch { $failure = $_ }
        $reported = [DateTimeOffset]::UtcNow
        if ($failure.FullyQualifiedErrorId -notlike 'DeployFailed,*') { throw "expected DeployFailed, got: $failure" }
        $service = (aws ecs describe-services --cluster cruddur --services broken --output json | ConvertFrom-Json).services[0]
        $failedEvent = $service.events | Where-Object message -Match "deployment $([regex]::Escape($failure.TargetObject.DeploymentId)) deployment failed" | Select-Object -First 1
        ($reported - [DateTimeOffset]::FromUnixTimeMilliseconds([long]($failedEvent.createdAt * 1000))).TotalMilliseconds
        aws ecs update-service --cluster cruddur --service broken --task-definition broken:1 --output text --query 'service.serviceName' | Out-Null
    }
    [pscustomobject]@{ Case = '3. simulator marks FAILED -> cmdlet reports it'; Median = "$([math]::Round((Median $latencies))) ms"; All = ($latencies | ForEach-Object { [math]::Round($_) }) -join ', ' } | Format-List
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
