BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Ecs
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:seedPolicies = Join-Path $RepoRoot 'tests/Cruddur.Core.Tests/fixtures/policies'
    $script:demoPolicies = Join-Path $RepoRoot 'demo/cruddur/aws/policies'
    $script:allResources = @(
        'LogGroup cruddur', 'EcsCluster cruddur', 'EcrRepository cruddur-python', 'EcrRepository backend-flask',
        'EcrRepository frontend-react-js', 'IamRole CruddurServiceExecutionRole',
        'IamRolePolicy CruddurServiceExecutionRole/CruddurServiceExecutionPolicy', 'IamRole CruddurTaskRole',
        'IamRolePolicy CruddurTaskRole/SSMAccessPolicy', 'IamPolicyAttachment CruddurTaskRole/CloudWatchFullAccess',
        'IamPolicyAttachment CruddurTaskRole/AWSXRayDaemonWriteAccess', 'SecurityGroup cruddur-ecs-security-group')

    function Get-StatusLines($Results) { @($Results | ForEach-Object { "$($_.Kind) $($_.Name) $($_.Status)" }) }
    # What the account holds, read with boto3 in one process (the aws CLI would take a second per call): the state the
    # cmdlet must create and then leave alone.
    $script:stateScript = @'
import boto3, json
from botocore.exceptions import ClientError
iam = boto3.client("iam"); state = {}
state["logGroups"] = sorted(f"{g['logGroupName']}:{g.get('retentionInDays')}" for g in boto3.client("logs").describe_log_groups()["logGroups"])
state["clusters"] = [f"{c['clusterName']}:{c['status']}:{bool(c.get('serviceConnectDefaults', {}).get('namespace'))}" for c in boto3.client("ecs").describe_clusters(clusters=["cruddur"])["clusters"]]
state["repos"] = sorted(r["repositoryName"] for r in boto3.client("ecr").describe_repositories()["repositories"])
roles = sorted(r["RoleName"] for r in iam.list_roles()["Roles"]); state["roles"] = roles
state["inline"] = {r: {p: iam.get_role_policy(RoleName=r, PolicyName=p)["PolicyDocument"] for p in iam.list_role_policies(RoleName=r)["PolicyNames"]} for r in roles}
state["trust"] = {r: iam.get_role(RoleName=r)["Role"]["AssumeRolePolicyDocument"] for r in roles}
state["attached"] = {r: sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=r)["AttachedPolicies"]) for r in roles}
groups = boto3.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["cruddur-ecs-security-group"]}])["SecurityGroups"]
state["groups"] = [g["GroupId"] + ":" + ",".join(f"{p['IpProtocol']}/{p.get('FromPort')}/{'+'.join(r['CidrIp'] for r in p.get('IpRanges', []))}" for p in g["IpPermissions"]) for g in groups]
print(json.dumps(state, sort_keys=True, indent=1))
'@
    function Get-AccountState {
        $text = Invoke-TestPython $stateScript
        if ($LASTEXITCODE) { throw 'reading the account state failed' }
        $text -join "`n"
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Initialize-CruddurInfrastructure' {
    BeforeEach {
        Reset-CruddurStack $stack
        $script:work = New-TestFolder
        Push-Location $work
    }
    AfterEach { Pop-Location }

    It 'creates everything in an empty account from the seed policy files, then a second run creates nothing' {
        $first = Initialize-CruddurInfrastructure -PolicyPath $demoPolicies

        Get-StatusLines $first | Should -Be ($allResources | ForEach-Object { "$_ Created" })
        $first | ForEach-Object { $_.Id | Should -Not -BeNullOrEmpty }
        ($first | Where-Object Kind -EQ 'IamRole').Id | Should -Be @(
            'arn:aws:iam::123456789012:role/CruddurServiceExecutionRole', 'arn:aws:iam::123456789012:role/CruddurTaskRole')
        $state = Get-AccountState
        $state | Should -Match '"cruddur:1"'
        $state | Should -Match '"cruddur:ACTIVE:True"'
        $state | Should -Match 'tcp/4567/0.0.0.0/0"'
        (Invoke-Aws iam get-role-policy --role-name CruddurServiceExecutionRole --policy-name CruddurServiceExecutionPolicy).PolicyDocument.Statement[1].Resource |
            Should -Be 'arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/*'
        (Invoke-Aws iam get-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy).PolicyDocument.Statement[0].Action.Count | Should -Be 4
        (Invoke-Aws iam list-attached-role-policies --role-name CruddurTaskRole).AttachedPolicies.PolicyName | Sort-Object |
            Should -Be @('AWSXRayDaemonWriteAccess', 'CloudWatchFullAccess')

        $second = Initialize-CruddurInfrastructure -PolicyPath $demoPolicies

        Get-StatusLines $second | Should -Be ($allResources | ForEach-Object { "$_ Exists" })
        $second.Id | Should -Be $first.Id
        Get-AccountState | Should -Be $state
    }

    It 'uses built-in policies when there is no aws/policies folder' {
        $results = Initialize-CruddurInfrastructure -Verbose 4>&1
        ($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'built-in equivalent' }).Count | Should -Be 4
        ($results | Where-Object Status -EQ 'Created').Count | Should -Be 12
        (Invoke-Aws iam get-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy).PolicyDocument.Statement[0].Action |
            Should -Contain 'ssmmessages:CreateControlChannel'
    }

    It 'brings partial or differing state in line and reports it' {
        Invoke-Aws logs create-log-group --log-group-name cruddur
        Invoke-Aws logs put-retention-policy --log-group-name cruddur --retention-in-days 7
        Invoke-Aws ecr create-repository --repository-name backend-flask | Out-Null
        Invoke-Aws iam create-role --role-name CruddurTaskRole --assume-role-policy-document "file://$seedPolicies/task/task-assume-execution-role.json" | Out-Null
        Invoke-Aws iam put-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssmmessages:OpenDataChannel","Resource":"*"}]}'
        Invoke-Aws iam attach-role-policy --role-name CruddurTaskRole --policy-arn arn:aws:iam::aws:policy/CloudWatchFullAccess
        $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
        $sg = (Invoke-Aws ec2 create-security-group --group-name cruddur-ecs-security-group --description pre-existing --vpc-id $vpc).GroupId

        $results = Initialize-CruddurInfrastructure -PolicyPath $demoPolicies

        Get-StatusLines $results | Should -Be @(
            'LogGroup cruddur Updated', 'EcsCluster cruddur Created', 'EcrRepository cruddur-python Created',
            'EcrRepository backend-flask Exists', 'EcrRepository frontend-react-js Created',
            'IamRole CruddurServiceExecutionRole Created', 'IamRolePolicy CruddurServiceExecutionRole/CruddurServiceExecutionPolicy Created',
            'IamRole CruddurTaskRole Exists', 'IamRolePolicy CruddurTaskRole/SSMAccessPolicy Updated',
            'IamPolicyAttachment CruddurTaskRole/CloudWatchFullAccess Exists', 'IamPolicyAttachment CruddurTaskRole/AWSXRayDaemonWriteAccess Created',
            'SecurityGroup cruddur-ecs-security-group Updated')
        ($results | Where-Object Kind -EQ 'LogGroup').Detail | Should -Be 'retention 7 day(s) -> 1 day(s)'
        ($results | Where-Object Kind -EQ 'SecurityGroup').Id | Should -Be $sg
        (Invoke-Aws logs describe-log-groups).logGroups[0].retentionInDays | Should -Be 1
        (Invoke-Aws iam get-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy).PolicyDocument.Statement[0].Action.Count | Should -Be 4
        Get-AccountState | Should -Match "${sg}:tcp/4567/0.0.0.0/0"

        Get-StatusLines (Initialize-CruddurInfrastructure -PolicyPath $demoPolicies) | Should -Be ($allResources | ForEach-Object { "$_ Exists" })
    }

    It 'lists every resource under -WhatIf and changes nothing' {
        $before = Get-AccountState

        $text = Get-WhatIfText { Initialize-CruddurInfrastructure -PolicyPath $demoPolicies -WhatIf }

        foreach ($resource in $allResources) { $text | Should -Match ([regex]::Escape("What if: Performing the operation `"Create`" on target `"$resource`"")) }
        Get-AccountState | Should -Be $before

        Initialize-CruddurInfrastructure -PolicyPath $demoPolicies | Out-Null
        Invoke-Aws logs put-retention-policy --log-group-name cruddur --retention-in-days 14
        $changed = Get-AccountState

        $script:output = $null
        $text = Get-WhatIfText { $script:output = Initialize-CruddurInfrastructure -PolicyPath $demoPolicies -WhatIf }

        $text | Should -Match ([regex]::Escape('What if: Performing the operation "Update (retention 14 day(s) -> 1 day(s))" on target "LogGroup cruddur"'))
        $text | Should -Not -Match 'Performing the operation "Create"'
        Get-StatusLines $output | Should -Be ($allResources | Select-Object -Skip 1 | ForEach-Object { "$_ Exists" })
        Get-AccountState | Should -Be $changed
    }

    It 'stops at a resource IAM refuses, names it, keeps what was created, and a re-run continues from there' {
        $policies = New-TestFolder policies
        Copy-Item "$demoPolicies/*" $policies -Recurse
        $taskPolicy = Join-Path $policies 'task/task-execution-policy.json'
        $good = Get-Content $taskPolicy -Raw
        Set-Content $taskPolicy ($good -replace '"Allow"', '"Maybe"')

        $failure = $null
        try { $null = Initialize-CruddurInfrastructure -PolicyPath $policies -OutVariable done } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be 'InfraResourceFailed,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand'
        "$failure" | Should -BeLike "IamRolePolicy 'CruddurTaskRole/SSMAccessPolicy' could not be set up: *MalformedPolicyDocument*run Initialize-CruddurInfrastructure again*"
        Get-StatusLines $done | Should -Be @(($allResources[0..7] | ForEach-Object { "$_ Created" }) + 'IamRolePolicy CruddurTaskRole/SSMAccessPolicy Failed')
        $done[-1].Detail | Should -Match 'PutRolePolicy: MalformedPolicyDocument'
        (Invoke-Aws iam list-roles).Roles.RoleName | Sort-Object | Should -Be @('CruddurServiceExecutionRole', 'CruddurTaskRole')
        (Invoke-Aws ec2 describe-security-groups --filters 'Name=group-name,Values=cruddur-ecs-security-group').SecurityGroups | Should -BeNullOrEmpty

        Set-Content $taskPolicy $good
        $rerun = Initialize-CruddurInfrastructure -PolicyPath $policies

        Get-StatusLines $rerun | Should -Be @(($allResources[0..7] | ForEach-Object { "$_ Exists" }) + ($allResources[8..11] | ForEach-Object { "$_ Created" }))
    }

    It 'warns that the seed execution policy names eu-west-2 when running elsewhere' {
        $results = Initialize-CruddurInfrastructure -PolicyPath $seedPolicies -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -HaveCount 1
        "$warnings" | Should -Match 'parameters in eu-west-2, but this runs in us-east-1.*<AWS_REGION>'
        ($results | Where-Object Status -EQ 'Created').Count | Should -Be 12
    }

    Context 'bad input changes nothing' {
        BeforeAll {
            Reset-CruddurStack $stack
            $script:emptyState = Get-AccountState
        }

        It '<Case>' -ForEach @(
            @{ Case = 'policy file that is not JSON'; Id = 'InfraPolicyFileInvalid'; Message = '*task-assume-execution-role.json is not a JSON policy document*'
               Setup = { $p = New-TestFolder bad; Copy-Item "$demoPolicies/*" $p -Recurse; Set-Content "$p/task/task-assume-execution-role.json" '{ "Version": '; @{ PolicyPath = $p } } }
            @{ Case = 'unknown placeholder'; Id = 'InfraPolicyPlaceholderUnknown'; Message = '*<ACCOUNT>*'
               Setup = { $p = New-TestFolder ph; New-Item -ItemType Directory "$p/service" | Out-Null
                   Set-Content "$p/service/service-execution-policy.json" '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1:<ACCOUNT>:parameter/x"}]}'
                   @{ PolicyPath = $p } } }
            @{ Case = 'policy folder that does not exist'; Id = 'InfraPolicyPathNotFound'; Message = "*policy folder 'nowhere/policies' does not exist*"; Setup = { @{ PolicyPath = 'nowhere/policies' } } }
            @{ Case = 'retention CloudWatch does not offer'; Id = 'InfraLogRetentionInvalid'; Message = '*cannot keep logs for 2 day(s)*'; Setup = { @{ LogRetentionDays = 2 } } }
            @{ Case = 'retention beyond the longest CloudWatch offers'; Id = 'InfraLogRetentionInvalid'; Message = '*cannot keep logs for 4000 day(s)*3653*'; Setup = { @{ LogRetentionDays = 4000 } } }
            @{ Case = 'no retention'; Id = 'InfraLogRetentionInvalid'; Message = '*cannot keep logs for 0 day(s)*'; Setup = { @{ LogRetentionDays = 0 } } }
            @{ Case = 'service name ECR rejects'; Id = 'ImageRepositoryNameInvalid'; Message = "*'Backend_Flask!' is not a valid ECR repository name*"; Setup = { @{ Service = 'Backend_Flask!' } } }
            @{ Case = 'cluster name ECS rejects'; Id = 'InfraClusterNameInvalid'; Message = "*'my cluster' is not an ECS cluster name*"; Setup = { @{ Cluster = 'my cluster' } } }
        ) {
            $arguments = & $Setup
            { Initialize-CruddurInfrastructure @arguments -ErrorAction Stop } |
                Should -Throw -ErrorId "$Id,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand" -ExpectedMessage $Message
            Get-AccountState | Should -Be $emptyState
        }
    }
}
