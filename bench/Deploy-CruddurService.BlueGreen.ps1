#Requires -Version 7.4
<#
.SYNOPSIS
    Deploy-CruddurService -Strategy BlueGreen: -Services blue/green services released and watched together against one, in
    one run against the same ECS simulator, with the ratio.
.DESCRIPTION
    Each service has the edge Initialize-CruddurInfrastructure -Strategy BlueGreen builds (a target group and its alternate,
    a production and a test listener rule forwarding to both by weight, tagged with their names, the infrastructure role),
    made in moto in one Python process. Both sides release blue/green (-BakeTime 0) and wait until ECS is done (Completed):
    one service, then all -Services in one call, alternated -Runs times; medians. A watch that scales with the number of
    services (DescribeServiceDeployments in batches of 20, DescribeServices in batches of 10, one poll loop) and public URLs
    read once per release keep the ratio near 1.
    Two cases: the same definitions again (ECS deploys the current revision again, nothing registered), and a new image in
    every definition. The second registers -Services revisions, which ECS's task definition bucket (burst 20, then 1 per
    second, scaled like the stack's clock) spreads out: its floor is printed beside the ratio.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 3,
    [int] $Services = 50,
    # Simulated ECS seconds per real second.
    [double] $EcsTimeScale = 0.1
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')

$stack = Start-CruddurStack Ecs, Moto -EcsTimeScale $EcsTimeScale
$previous = Set-CruddurStackEnvironment $stack
$PSDefaultParameterValues['Deploy-CruddurService:StableFor'] = [timespan]::FromSeconds(95 * $EcsTimeScale)
$work = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ("cruddur-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8)))
function Median($values) { $s = @($values | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }

# The blue/green edge of every service, in moto (through the simulator for ELBv2, as the module sees it).
$edge = @'
import json, sys
import boto3
names = sys.argv[1:]
ec2 = boto3.client("ec2", region_name="us-east-1")
elb = boto3.client("elbv2", region_name="us-east-1")
iam = boto3.client("iam", region_name="us-east-1")
vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
subnets = sorted(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"], key=lambda s: s["AvailabilityZone"])
group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
iam.create_role(RoleName="CruddurEcsInfrastructureRoleForLoadBalancers", AssumeRolePolicyDocument=json.dumps(trust))
iam.attach_role_policy(RoleName="CruddurEcsInfrastructureRoleForLoadBalancers", PolicyArn="arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers")
lb = elb.create_load_balancer(Name="cruddur-alb", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]["LoadBalancerArn"]
listeners = {}
for i, name in enumerate(names):
    tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=4567, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    alt = elb.create_target_group(Name=f"{name}-tg-alt", Protocol="HTTP", Port=4567, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    for port, kind in ((80, "production"), (8443, "test")):
        if port not in listeners:
            listeners[port] = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=port, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
        elb.create_rule(ListenerArn=listeners[port], Priority=10 + i, Conditions=[{"Field": "host-header", "Values": [f"{name}.cruddur.example"]}],
                        Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg, "Weight": 100}, {"TargetGroupArn": alt, "Weight": 0}]}}],
                        Tags=[{"Key": "Name", "Value": f"{name}-{kind}"}])
json.dump({"Subnet": subnets[0]["SubnetId"], "SecurityGroup": group}, sys.stdout)
'@

try {
    aws ecs create-cluster --cluster-name cruddur --output text | Out-Null
    $one = 'bg-solo'
    $many = 1..$Services | ForEach-Object { 'bg-{0:d2}' -f $_ }
    $network = $edge | python3 - $one @many | ConvertFrom-Json
    if ($LASTEXITCODE) { throw 'making the blue/green edge failed' }
    foreach ($name in @($one) + $many) {
        Set-Content (Join-Path $work "$name.json") (@{
            family = $name; networkMode = 'awsvpc'; cpu = '256'; memory = '512'; requiresCompatibilities = @('FARGATE')
            containerDefinitions = @(@{ name = $name; image = "registry.local/${name}:1"; portMappings = @(@{ containerPort = 4567 }) })
        } | ConvertTo-Json -Depth 6)
        Set-Content (Join-Path $work "service-$name.json") (@{
            cluster = 'cruddur'; serviceName = $name; desiredCount = 1; launchType = 'FARGATE'
            loadBalancers = @(@{ targetGroupName = "$name-tg"; containerName = $name; containerPort = 4567; advancedConfiguration = @{
                alternateTargetGroupName = "$name-tg-alt"; productionListenerRuleName = "$name-production"; testListenerRuleName = "$name-test"
                roleName = 'CruddurEcsInfrastructureRoleForLoadBalancers' } })
            networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = @($network.Subnet); securityGroups = @($network.SecurityGroup) } }
        } | ConvertTo-Json -Depth 8)
    }
    # Create every service blue/green (not measured), so each measured run releases a second revision of a running service.
    $created = @(Deploy-CruddurService (@($one) + $many) -TaskDefinitionFile $work -ServiceDefinitionFile $work -Strategy BlueGreen -BakeTime 0)
    if (@($created | Where-Object Outcome -NE 'Succeeded').Count) { throw "creating the services failed: $($created | Where-Object Outcome -NE 'Succeeded' | Out-String)" }

    function Set-Image([string[]] $Names, [string] $Tag) {
        foreach ($name in $Names) {
            $file = Join-Path $work "$name.json"
            Set-Content $file ((Get-Content $file -Raw) -replace "registry.local/${name}:[^`"]+", "registry.local/${name}:$Tag")
        }
    }
    function Measure-Release([string[]] $Names) {
        $w = [Diagnostics.Stopwatch]::StartNew()
        $r = @(Deploy-CruddurService $Names -TaskDefinitionFile $work -Strategy BlueGreen -BakeTime 0)
        $t = $w.Elapsed.TotalSeconds
        if (@($r | Where-Object Outcome -EQ 'Succeeded').Count -ne $Names.Count) { throw "the release of $($Names.Count) failed: $($r | Where-Object Outcome -NE 'Succeeded' | Out-String)" }
        $t
    }
    $times = @{ SameOne = @(); SameMany = @(); NewOne = @(); NewMany = @() }
    for ($i = 0; $i -lt $Runs; $i++) {
        $times.SameOne += Measure-Release $one
        $times.SameMany += Measure-Release $many
        Set-Image (@($one) + $many) "run$i"
        $times.NewOne += Measure-Release $one
        $times.NewMany += Measure-Release $many
    }
    function Show([double[]] $t) { "$([math]::Round((Median $t), 2)) s (runs: $(($t | ForEach-Object { [math]::Round($_, 2) }) -join ', '))" }
    $scale = [double]$env:CRUDDUR_ECS_QUOTA_SCALE; if (-not $scale) { $scale = 1 }
    # Registering $Services revisions from a full bucket of 20 takes at least this long at 1 per second (times the scale).
    $floor = [math]::Max(0, $Services - 20) / $scale
    [pscustomobject]@{
        Case           = "$Services blue/green services released and watched together vs one (-BakeTime 0, Completed, time scale $EcsTimeScale)"
        'Same, one'    = Show $times.SameOne
        'Same, many'   = Show $times.SameMany
        'Same, ratio'  = "$([math]::Round((Median $times.SameMany) / (Median $times.SameOne), 2))x the time of one (target <= 1.1x)"
        'New, one'     = Show $times.NewOne
        'New, many'    = Show $times.NewMany
        'New, ratio'   = "$([math]::Round((Median $times.NewMany) / (Median $times.NewOne), 2))x the time of one; registering $Services revisions takes >= $([math]::Round($floor, 1)) s by ECS's quota ($([math]::Round(((Median $times.NewMany) - $floor) / (Median $times.NewOne), 2))x without it)"
    } | Format-List
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
