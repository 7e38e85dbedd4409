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

$stack = Start-CruddurStack Moto, Ecs
$previous = Set-CruddurStackEnvironment $stack
try {
    $times = @{ Seed = [Collections.Generic.List[double]]::new(); Ours = [Collections.Generic.List[double]]::new(); Rerun = [Collections.Generic.List[double]]::new() }
    for ($i = 0; $i -lt $Runs; $i++) {
        Reset-CruddurStack $stack
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-SeedCommands | Out-Null
        $times.Seed.Add($watch.Elapsed.TotalMilliseconds)

        Reset-CruddurStack $stack
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $created = Initialize-CruddurInfrastructure -PolicyPath $policies
        $times.Ours.Add($watch.Elapsed.TotalMilliseconds)
        if (@($created | Where-Object Status -NE 'Created').Count) { throw 'the first run did not create everything' }

        $watch = [Diagnostics.Stopwatch]::StartNew()
        $again = Initialize-CruddurInfrastructure -PolicyPath $policies
        $times.Rerun.Add($watch.Elapsed.TotalMilliseconds)
        if (@($again | Where-Object Status -NE 'Exists').Count) { throw 'the second run changed something' }
    }
    function Median($values) { $s = $values | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
    $seed = Median $times.Seed
    foreach ($case in @(
            @{ Name = "seed's aws CLI commands (empty account)"; Key = 'Seed' }
            @{ Name = 'Initialize-CruddurInfrastructure (empty account)'; Key = 'Ours' }
            @{ Name = 'Initialize-CruddurInfrastructure (second run, all Exists)'; Key = 'Rerun' })) {
        $m = Median $times[$case.Key]
        [pscustomobject]@{ Case = $case.Name; MedianMs = [math]::Round($m); Ratio = [math]::Round($m / $seed, 2) }
    }
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
