#Requires -Version 7.4
<#
.SYNOPSIS
    Deploy-CruddurService -Strategy BlueGreen: -Services blue/green services released and watched together against one, in
    one run against the same ECS simulator, with the ratio.
.DESCRIPTION
    Each service has the edge Initialize-CruddurInfrastructure -Strategy BlueGreen builds (a target group and its alternate,
    a production and a test listener rule forwarding to both by weight, tagged with their names, the infrastructure role),
    made in moto in one Python process. Both sides release a new revision blue/green (-BakeTime 0) and wait until ECS is done
    (Completed): one service, then all -Services in one call, alternated -Runs times; medians. A watch that scales with the
    number of services (DescribeServiceDeployments in batches of 20, DescribeServices in batches of 10, one poll loop) keeps
    the ratio near 1.
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

    $solo = [Collections.Generic.List[double]]::new(); $fleet = [Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Runs; $i++) {
        $w = [Diagnostics.Stopwatch]::StartNew()
        $r = @(Deploy-CruddurService $one -TaskDefinitionFile $work -Strategy BlueGreen -BakeTime 0)
        $solo.Add($w.Elapsed.TotalSeconds)
        if ($r.Outcome -ne 'Succeeded') { throw "the one service's release failed: $($r | Out-String)" }
        $w = [Diagnostics.Stopwatch]::StartNew()
        $r = @(Deploy-CruddurService $many -TaskDefinitionFile $work -Strategy BlueGreen -BakeTime 0)
        $fleet.Add($w.Elapsed.TotalSeconds)
        if (@($r | Where-Object Outcome -EQ 'Succeeded').Count -ne $Services) { throw "the $Services services' release failed: $($r | Where-Object Outcome -NE 'Succeeded' | Out-String)" }
    }
    $o = Median $solo; $f = Median $fleet
    [pscustomobject]@{
        Case     = "$Services blue/green services released and watched together vs one (-BakeTime 0, Completed, time scale $EcsTimeScale)"
        One      = "$([math]::Round($o, 2)) s (runs: $(($solo | ForEach-Object { [math]::Round($_, 2) }) -join ', '))"
        Many     = "$([math]::Round($f, 2)) s (runs: $(($fleet | ForEach-Object { [math]::Round($_, 2) }) -join ', '))"
        Ratio    = "$([math]::Round($f / $o, 2))x the time of one (target <= 1.1x)"
    } | Format-List
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
