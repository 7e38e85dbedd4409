#Requires -Version 7.4
<#
.SYNOPSIS
    Initialize-CruddurInfrastructure against the seed's own aws CLI commands for the same set-up, on moto + the ECS
    simulator, in one run, with the ratio.
.DESCRIPTION
    Each round resets the stack and runs the seed's commands (log group, retention, cluster, three ECR repositories, two
    roles with their policies and attachments, security group and ingress; the seed's failing attach-role-policy of the
    inline policy included, as the seed has it), resets again and runs Initialize-CruddurInfrastructure with the seed's
    policy files; then times a second, converging Initialize run (the seed has no equivalent: its commands fail on a
    second run). The two are alternated so machine load hits both alike; medians of -Runs rounds.

    Then the same with the public edge (-Domain cruddur.example): the seed clicks it in the console, so its side is the
    equivalent aws CLI sequence (hosted zone, load balancer group, the ECS group's rule from anywhere swapped for one from the
    load balancer's group, load balancer, two target groups, listener 80, alias records, certificate with its validation
    CNAME and a wait for ISSUED, listener 443, host rule). moto issues the certificate after 2 s for both sides.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 3
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')
$policies = Join-Path $repo 'demo/cruddur/aws/policies'

function Invoke-SeedCommands {
    $account = aws sts get-caller-identity --query Account --output text
    $p = "file://$policies"
    aws logs create-log-group --log-group-name cruddur
    aws logs put-retention-policy --log-group-name cruddur --retention-in-days 1
    aws ecs create-cluster --cluster-name cruddur --service-connect-defaults namespace=cruddur
    foreach ($name in 'cruddur-python', 'backend-flask', 'frontend-react-js') { aws ecr create-repository --repository-name $name --image-tag-mutability MUTABLE }
    aws iam create-role --role-name CruddurServiceExecutionRole --assume-role-policy-document "$p/service/service-assume-execution-role.json"
    # The seed's files carry <AWS_ACCOUNT_ID>: a user edits them by hand first; here a filled copy stands in for that.
    $filled = New-TemporaryFile
    (Get-Content "$policies/service/service-execution-policy.json" -Raw) -replace '<AWS_ACCOUNT_ID>', $account -replace '<AWS_REGION>', $env:AWS_REGION | Set-Content $filled
    aws iam put-role-policy --role-name CruddurServiceExecutionRole --policy-name CruddurServiceExecutionPolicy --policy-document "file://$filled"
    aws iam attach-role-policy --policy-arn "arn:aws:iam::${account}:policy/CruddurServiceExecutionPolicy" --role-name CruddurServiceExecutionRole 2>$null
    aws iam create-role --role-name CruddurTaskRole --assume-role-policy-document "$p/task/task-assume-execution-role.json"
    aws iam put-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy --policy-document "$p/task/task-execution-policy.json"
    aws iam attach-role-policy --policy-arn arn:aws:iam::aws:policy/CloudWatchFullAccess --role-name CruddurTaskRole
    aws iam attach-role-policy --policy-arn arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess --role-name CruddurTaskRole
    $vpc = aws ec2 describe-vpcs --filters 'Name=isDefault, Values=true' --query 'Vpcs[0].VpcId' --output text
    $sg = aws ec2 create-security-group --group-name cruddur-ecs-security-group --description 'Security group for Cruddur services on ECS' --vpc-id $vpc --query GroupId --output text
    aws ec2 authorize-security-group-ingress --group-id $sg --protocol tcp --port 4567 --cidr 0.0.0.0/0
    Remove-Item $filled
}

# The console steps of "CREATE A LOADBALANCER" and "SECURING THE DNS + DOMAIN CONFIGURATION" as aws CLI commands.
function Invoke-EdgeCommands {
    $vpc = aws ec2 describe-vpcs --filters 'Name=isDefault, Values=true' --query 'Vpcs[0].VpcId' --output text
    $subnets = (aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" --query 'Subnets[].SubnetId' --output text) -split '\s+'
    $zone = aws route53 create-hosted-zone --name $domain --caller-reference "bench-$(New-Guid)" --query HostedZone.Id --output text
    $lbSg = aws ec2 create-security-group --group-name cruddur-loadbalancer-security-group --description 'Cruddur ALB' --vpc-id $vpc --query GroupId --output text
    aws ec2 authorize-security-group-ingress --group-id $lbSg --ip-permissions 'IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0}]' 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]' | Out-Null
    $sg = aws ec2 describe-security-groups --filters 'Name=group-name,Values=cruddur-ecs-security-group' --query 'SecurityGroups[0].GroupId' --output text
    aws ec2 revoke-security-group-ingress --group-id $sg --protocol tcp --port 4567 --cidr 0.0.0.0/0
    aws ec2 authorize-security-group-ingress --group-id $sg --ip-permissions "IpProtocol=tcp,FromPort=4567,ToPort=4567,UserIdGroupPairs=[{GroupId=$lbSg}]" "IpProtocol=tcp,FromPort=3000,ToPort=3000,UserIdGroupPairs=[{GroupId=$lbSg}]" | Out-Null
    $lb = aws elbv2 create-load-balancer --name cruddur-application-loadbalancer --scheme internet-facing --ip-address-type ipv4 --subnets @subnets --security-groups $lbSg --query 'LoadBalancers[0].[LoadBalancerArn,DNSName,CanonicalHostedZoneId]' --output text
    $lbArn, $lbDns, $lbZone = $lb -split '\s+'
    $backend = aws elbv2 create-target-group --name cruddur-backend-flask-tg --protocol HTTP --port 4567 --target-type ip --vpc-id $vpc --health-check-path /api/health-check --healthy-threshold-count 3 --query 'TargetGroups[0].TargetGroupArn' --output text
    $frontend = aws elbv2 create-target-group --name cruddur-frontend-react-js-tg --protocol HTTP --port 3000 --target-type ip --vpc-id $vpc --health-check-path / --healthy-threshold-count 3 --query 'TargetGroups[0].TargetGroupArn' --output text
    aws elbv2 create-listener --load-balancer-arn $lbArn --protocol HTTP --port 80 --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}' | Out-Null
    $alias = { param($name) "{`"Action`":`"UPSERT`",`"ResourceRecordSet`":{`"Name`":`"$name`",`"Type`":`"A`",`"AliasTarget`":{`"HostedZoneId`":`"$lbZone`",`"DNSName`":`"$lbDns`",`"EvaluateTargetHealth`":true}}}" }
    aws route53 change-resource-record-sets --hosted-zone-id $zone --change-batch "{`"Changes`":[$(& $alias $domain),$(& $alias "api.$domain")]}" | Out-Null
    $cert = aws acm request-certificate --domain-name $domain --subject-alternative-names "*.$domain" --validation-method DNS --query CertificateArn --output text
    $record = aws acm describe-certificate --certificate-arn $cert --query 'Certificate.DomainValidationOptions[0].ResourceRecord.[Name,Value]' --output text
    $name, $value = $record -split '\s+'
    aws route53 change-resource-record-sets --hosted-zone-id $zone --change-batch "{`"Changes`":[{`"Action`":`"UPSERT`",`"ResourceRecordSet`":{`"Name`":`"$name`",`"Type`":`"CNAME`",`"TTL`":300,`"ResourceRecords`":[{`"Value`":`"$value`"}]}}]}" | Out-Null
    while ((aws acm describe-certificate --certificate-arn $cert --query Certificate.Status --output text) -ne 'ISSUED') { Start-Sleep -Milliseconds 500 }
    $https = aws elbv2 create-listener --load-balancer-arn $lbArn --protocol HTTPS --port 443 --certificates "CertificateArn=$cert" --default-actions "Type=forward,TargetGroupArn=$frontend" --query 'Listeners[0].ListenerArn' --output text
    aws elbv2 create-rule --listener-arn $https --priority 10 --conditions "Field=host-header,HostHeaderConfig={Values=api.$domain}" --actions "Type=forward,TargetGroupArn=$backend" | Out-Null
}

$stack = Start-CruddurStack Moto, Ecs -AcmValidationSeconds 2
$domain = 'cruddur.example'
$previous = Set-CruddurStackEnvironment $stack
try {
    $times = @{}
    foreach ($key in 'Seed', 'Ours', 'Rerun', 'EdgeSeed', 'EdgeOurs', 'EdgeRerun') { $times[$key] = [Collections.Generic.List[double]]::new() }
    foreach ($edge in $false, $true) {
        $prefix = if ($edge) { 'Edge' } else { '' }
        $domainArgs = if ($edge) { @{ Domain = $domain } } else { @{} }
        for ($i = 0; $i -lt $Runs; $i++) {
            Reset-CruddurStack $stack
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Invoke-SeedCommands | Out-Null
            if ($edge) { Invoke-EdgeCommands | Out-Null }
            $times["${prefix}Seed"].Add($watch.Elapsed.TotalMilliseconds)

            Reset-CruddurStack $stack
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $created = Initialize-CruddurInfrastructure -PolicyPath $policies @domainArgs
            $times["${prefix}Ours"].Add($watch.Elapsed.TotalMilliseconds)
            if (@($created | Where-Object Status -NE 'Created').Count) { throw 'the first run did not create everything' }

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $again = Initialize-CruddurInfrastructure -PolicyPath $policies @domainArgs
            $times["${prefix}Rerun"].Add($watch.Elapsed.TotalMilliseconds)
            if (@($again | Where-Object Status -NE 'Exists').Count) { throw 'the second run changed something' }
        }
    }
    function Median($values) { $s = $values | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
    foreach ($case in @(
            @{ Name = "seed's aws CLI commands (empty account)"; Key = 'Seed'; Base = 'Seed' }
            @{ Name = 'Initialize-CruddurInfrastructure (empty account)'; Key = 'Ours'; Base = 'Seed' }
            @{ Name = 'Initialize-CruddurInfrastructure (second run, all Exists)'; Key = 'Rerun'; Base = 'Seed' }
            @{ Name = 'aws CLI sequence incl. the edge (empty account)'; Key = 'EdgeSeed'; Base = 'EdgeSeed' }
            @{ Name = 'Initialize-CruddurInfrastructure -Domain (empty account)'; Key = 'EdgeOurs'; Base = 'EdgeSeed' }
            @{ Name = 'Initialize-CruddurInfrastructure -Domain (second run, all Exists)'; Key = 'EdgeRerun'; Base = 'EdgeSeed' })) {
        $m = Median $times[$case.Key]
        [pscustomobject]@{ Case = $case.Name; MedianMs = [math]::Round($m); Ratio = [math]::Round($m / (Median $times[$case.Base]), 2) }
    }
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
