# Initialize-CruddurInfrastructure -Domain -Strategy BlueGreen: the edge ECS shifts traffic in (blue/green, linear, canary)
# against moto: alternate target groups, weighted production and test rules with Name tags, the test listener, and the
# infrastructure role for load balancers (moto loads AWS-managed policies: the stack sets MOTO_IAM_LOAD_MANAGED_POLICIES).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Ecs -AcmValidationSeconds 2
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:policies = Join-Path $RepoRoot 'demo/cruddur/aws/policies'
    $script:domain = 'cruddur.example'
    $script:role = 'CruddurEcsInfrastructureRoleForLoadBalancers'
    $script:managedPolicy = 'arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers'
    $script:blueGreenResources = @(
        "IamRole $role", "IamPolicyAttachment $role/AmazonECSInfrastructureRolePolicyForLoadBalancers",
        "HostedZone $domain", 'SecurityGroup cruddur-loadbalancer-security-group', 'SecurityGroup cruddur-ecs-security-group',
        'LoadBalancer cruddur-application-loadbalancer', 'TargetGroup cruddur-backend-flask-tg', 'TargetGroup cruddur-frontend-react-js-tg',
        'TargetGroup cruddur-backend-flask-tg-alt', 'TargetGroup cruddur-frontend-react-js-tg-alt',
        'Listener HTTP:80', "DnsRecord $domain A", "DnsRecord api.$domain A", "Certificate $domain", 'Listener HTTPS:443',
        "ListenerRule Host api.$domain", 'ListenerRule Path /*', 'Listener HTTPS:8443',
        "ListenerRule HTTPS:8443 Host api.$domain", 'ListenerRule HTTPS:8443 Path /*')

    function Get-Lines($Results) {
        @($Results | Where-Object { $_.Kind -notin 'LogGroup', 'EcsCluster', 'EcrRepository' -and $_.Name -notlike 'CruddurTaskRole*' -and $_.Name -notlike 'CruddurServiceExecutionRole*' } |
            ForEach-Object { "$($_.Kind) $($_.Name) $($_.Status)" })
    }
    # The edge as the account holds it, with the rules' actions, conditions and tags and the roles, read in one boto3 process.
    $script:stateScript = @'
import boto3, json
elb = boto3.client("elbv2"); ec2 = boto3.client("ec2"); iam = boto3.client("iam"); s = {}
k = lambda x: json.dumps(x, sort_keys=True, default=str)
s["tgs"] = sorted((t["TargetGroupName"], t["Port"], t["TargetType"], t["HealthCheckPath"], t["HealthyThresholdCount"]) for t in elb.describe_target_groups()["TargetGroups"])
lst = [l for lb in elb.describe_load_balancers()["LoadBalancers"] for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]]
tags = lambda arns: {d["ResourceArn"]: d["Tags"] for d in elb.describe_tags(ResourceArns=arns)["TagDescriptions"]} if arns else {}
lt = tags([l["ListenerArn"] for l in lst])
s["listeners"] = sorted(((l["Port"], l["Protocol"], [c["CertificateArn"] for c in l.get("Certificates", [])], l["DefaultActions"], lt.get(l["ListenerArn"])) for l in lst), key=k)
rules = [r for l in lst for r in elb.describe_rules(ListenerArn=l["ListenerArn"])["Rules"]]
rt = tags([r["RuleArn"] for r in rules if not r["IsDefault"]])
s["rules"] = sorted(((r["RuleArn"], r["Priority"], r["Conditions"], r["Actions"], rt.get(r["RuleArn"])) for r in rules), key=k)
s["groups"] = sorted((g["GroupName"], sorted((p.get("FromPort"), sorted(r["CidrIp"] for r in p.get("IpRanges", []))) for p in g["IpPermissions"])) for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] == "cruddur-loadbalancer-security-group")
roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
s["roles"] = {r: [iam.get_role(RoleName=r)["Role"]["AssumeRolePolicyDocument"], sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=r)["AttachedPolicies"])] for r in roles}
print(json.dumps(s, sort_keys=True, indent=1, default=str))
'@
    function Get-EdgeState {
        $text = Invoke-TestPython $stateScript
        if ($LASTEXITCODE) { throw 'reading the edge state failed' }
        $text -join "`n"
    }
    function Get-Listener([int] $Port) {
        $lb = (Invoke-Aws elbv2 describe-load-balancers --names cruddur-application-loadbalancer).LoadBalancers[0].LoadBalancerArn
        (Invoke-Aws elbv2 describe-listeners --load-balancer-arn $lb).Listeners | Where-Object Port -EQ $Port
    }
    # The listener's rules other than the default, as "<priority> <condition> -> <group> <weight>, <group> <weight> [Name]".
    function Get-RuleLines([int] $Port) {
        $rules = @((Invoke-Aws elbv2 describe-rules --listener-arn (Get-Listener $Port).ListenerArn).Rules | Where-Object IsDefault -EQ $false)
        $tags = @{}
        if ($rules) { (Invoke-Aws elbv2 describe-tags --resource-arns $rules.RuleArn).TagDescriptions | ForEach-Object { $tags[$_.ResourceArn] = ($_.Tags | Where-Object Key -EQ Name).Value } }
        $rules | Sort-Object { [int]$_.Priority } | ForEach-Object {
            $condition = $_.Conditions | ForEach-Object { "$($_.Field)=$((@($_.HostHeaderConfig.Values) + @($_.PathPatternConfig.Values) | Where-Object { $_ }) -join ',')" }
            $actions = $_.Actions | ForEach-Object {
                if ($_.ForwardConfig) { ($_.ForwardConfig.TargetGroups | ForEach-Object { "$($_.TargetGroupArn -replace '^.*:targetgroup/([^/]+)/.*$', '$1') $($_.Weight)" }) -join ', ' }
                else { "$($_.Type) $($_.TargetGroupArn -replace '^.*:targetgroup/([^/]+)/.*$', '$1')" }
            }
            "$($_.Priority) $condition -> $($actions -join ' + ') [$($tags[$_.RuleArn])]"
        }
    }
    function Get-RuleArn([int] $Port, [string] $Condition) {
        ((Invoke-Aws elbv2 describe-rules --listener-arn (Get-Listener $Port).ListenerArn).Rules |
            Where-Object { ($_.Conditions | ForEach-Object { @($_.HostHeaderConfig.Values) + @($_.PathPatternConfig.Values) }) -contains $Condition }).RuleArn
    }
    function Get-GroupArn([string] $Name) { (Invoke-Aws elbv2 describe-target-groups --names $Name).TargetGroups[0].TargetGroupArn }
    function Set-Weights([string] $Rule, [string] $Group, [int] $Weight, [string] $Alternate, [int] $AlternateWeight) {
        $forward = @{ Type = 'forward'; ForwardConfig = @{ TargetGroups = @(@{ TargetGroupArn = (Get-GroupArn $Group); Weight = $Weight }, @{ TargetGroupArn = (Get-GroupArn $Alternate); Weight = $AlternateWeight }) } }
        Invoke-Aws elbv2 modify-rule --rule-arn $Rule --actions (ConvertTo-Json @($forward) -Depth 6 -Compress) | Out-Null
    }
    $script:inShape = @(
        "10 host-header=api.$domain -> cruddur-backend-flask-tg 100, cruddur-backend-flask-tg-alt 0 [cruddur-backend-flask-production]",
        '50000 path-pattern=/* -> cruddur-frontend-react-js-tg 100, cruddur-frontend-react-js-tg-alt 0 [cruddur-frontend-react-js-production]')
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Initialize-CruddurInfrastructure -Domain -Strategy BlueGreen' {
    BeforeEach { Reset-CruddurStack $stack }

    It 'builds the edge ECS shifts traffic in, every rule one forward at 100/0 as the aws CLI sees it, and a re-run (also as Canary) changes nothing' {
        $first = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen -CertificateTimeoutSeconds 60

        Get-Lines $first | Should -Be ($blueGreenResources | ForEach-Object { "$_ Created" })
        (Invoke-Aws elbv2 describe-target-groups).TargetGroups | Sort-Object TargetGroupName | ForEach-Object { "$($_.TargetGroupName) $($_.TargetType) $($_.Protocol):$($_.Port) $($_.HealthCheckPath)" } |
            Should -Be @('cruddur-backend-flask-tg ip HTTP:4567 /api/health-check', 'cruddur-backend-flask-tg-alt ip HTTP:4567 /api/health-check',
                'cruddur-frontend-react-js-tg ip HTTP:3000 /', 'cruddur-frontend-react-js-tg-alt ip HTTP:3000 /')
        Get-RuleLines 443 | Should -Be $inShape
        Get-RuleLines 8443 | Should -Be ($inShape -replace '-production\]$', '-test]')
        $test = Get-Listener 8443
        $test.Protocol | Should -Be 'HTTPS'
        $test.Certificates.CertificateArn | Should -Be ($first | Where-Object Kind -EQ Certificate).Id
        ((Invoke-Aws elbv2 describe-tags --resource-arns $test.ListenerArn).TagDescriptions.Tags | Where-Object Key -EQ Name).Value | Should -Be 'cruddur-test-listener'
        # The rules ECS rewrites hold exactly one forward each, in ELB's weighted form (no TargetGroupArn beside it).
        foreach ($port in 443, 8443) {
            foreach ($rule in (Invoke-Aws elbv2 describe-rules --listener-arn (Get-Listener $port).ListenerArn).Rules | Where-Object IsDefault -EQ $false) {
                @($rule.Actions).Count | Should -Be 1
                $rule.Actions[0].PSObject.Properties.Name | Should -Not -Contain 'TargetGroupArn'
            }
        }
        (Invoke-Aws ec2 describe-security-groups --filters 'Name=group-name,Values=cruddur-loadbalancer-security-group').SecurityGroups[0].IpPermissions |
            ForEach-Object { "$($_.FromPort) $($_.IpRanges.CidrIp)" } | Sort-Object | Should -Be @('443 0.0.0.0/0', '80 0.0.0.0/0', '8443 0.0.0.0/0')
        $trust = (Invoke-Aws iam get-role --role-name $role).Role.AssumeRolePolicyDocument
        $trust.Statement.Principal.Service | Should -Be 'ecs.amazonaws.com'
        $trust.Statement.Action | Should -Be 'sts:AssumeRole'
        (Invoke-Aws iam list-attached-role-policies --role-name $role).AttachedPolicies.PolicyArn | Should -Be $managedPolicy
        $state = Get-EdgeState

        $second = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy Canary

        Get-Lines $second | Should -Be ($blueGreenResources | ForEach-Object { "$_ Exists" })
        $second.Id | Should -Be $first.Id
        ($second | Where-Object Name -EQ "Host api.$domain").Detail | Should -Be 'priority 10, Name cruddur-backend-flask-production, forward to cruddur-backend-flask-tg 100, cruddur-backend-flask-tg-alt 0'
        Get-EdgeState | Should -Be $state
    }

    It 'converts a rolling edge in place: -WhatIf first shows the api rule going to 100/0 and changes nothing' {
        Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain | Out-Null
        $apiRule = Get-RuleArn 443 "api.$domain"
        $before = Get-EdgeState

        $text = Get-WhatIfText { Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen -WhatIf }

        $text | Should -Match ([regex]::Escape("What if: Performing the operation `"Update (it does not forward to the alternate target group cruddur-backend-flask-tg-alt; no Name tag cruddur-backend-flask-production -> forward to cruddur-backend-flask-tg 100, cruddur-backend-flask-tg-alt 0, Name cruddur-backend-flask-production)`" on target `"ListenerRule Host api.$domain`""))
        foreach ($new in $blueGreenResources | Where-Object { $_ -match '-alt$|Path|8443|Iam' }) {
            $text | Should -Match ([regex]::Escape("What if: Performing the operation `"Create`" on target `"$new`""))
        }
        $text | Should -Match ([regex]::Escape('What if: Performing the operation "Update (tcp 8443 from 0.0.0.0/0 not allowed)" on target "SecurityGroup cruddur-loadbalancer-security-group"'))
        Get-EdgeState | Should -Be $before

        $converted = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen

        ($converted | Where-Object Name -EQ "Host api.$domain") | ForEach-Object { "$($_.Status) $($_.Id)" } | Should -Be "Updated $apiRule"
        Get-RuleLines 443 | Should -Be $inShape
        Get-Lines (Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen) | Should -Be ($blueGreenResources | ForEach-Object { "$_ Exists" })
    }

    It 'leaves weights ECS moved where they are; a run without -Strategy (even with -Force) leaves the blue/green edge alone' {
        Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen | Out-Null
        # As after a blue/green deployment: production now on the alternate groups, a linear one half way on the test listener.
        Set-Weights (Get-RuleArn 443 "api.$domain") cruddur-backend-flask-tg 0 cruddur-backend-flask-tg-alt 100
        Set-Weights (Get-RuleArn 443 '/*') cruddur-frontend-react-js-tg 0 cruddur-frontend-react-js-tg-alt 100
        Set-Weights (Get-RuleArn 8443 '/*') cruddur-frontend-react-js-tg 50 cruddur-frontend-react-js-tg-alt 50
        $state = Get-EdgeState

        $again = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen
        $plain = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Force

        Get-Lines $again | Should -Be ($blueGreenResources | ForEach-Object { "$_ Exists" })
        ($again | Where-Object Name -EQ 'HTTPS:8443 Path /*').Detail | Should -BeLike '*forward to cruddur-frontend-react-js-tg 50, cruddur-frontend-react-js-tg-alt 50 (traffic split: a deployment is shifting it)'
        Get-Lines $plain | Should -Be @(
            "HostedZone $domain Exists", 'SecurityGroup cruddur-loadbalancer-security-group Exists', 'SecurityGroup cruddur-ecs-security-group Exists',
            'LoadBalancer cruddur-application-loadbalancer Exists', 'TargetGroup cruddur-backend-flask-tg Exists', 'TargetGroup cruddur-frontend-react-js-tg Exists',
            'Listener HTTP:80 Exists', "DnsRecord $domain A Exists", "DnsRecord api.$domain A Exists", "Certificate $domain Exists",
            'Listener HTTPS:443 Exists', "ListenerRule Host api.$domain Exists", 'Listener HTTPS:8443 Exists')
        ($plain | Where-Object Name -EQ "Host api.$domain").Detail | Should -BeLike '*: ECS shifts traffic here, left as it is'
        ($plain | Where-Object Name -EQ 'HTTPS:8443').Detail | Should -BeLike 'the blue/green test listener; kept*'
        Get-EdgeState | Should -Be $state
    }

    It 'brings rules edited by hand back into shape without moving their live traffic' {
        Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen | Out-Null
        $frontend = Get-RuleArn 443 '/*'
        $api = Get-RuleArn 443 "api.$domain"
        # A second action before the forward, all traffic on the alternate; and weights that are no percentages.
        $actions = @(@{ Type = 'fixed-response'; Order = 1; FixedResponseConfig = @{ StatusCode = '503' } },
            @{ Type = 'forward'; Order = 2; TargetGroupArn = (Get-GroupArn cruddur-frontend-react-js-tg-alt) })
        Invoke-Aws elbv2 modify-rule --rule-arn $frontend --actions (ConvertTo-Json $actions -Depth 6 -Compress) | Out-Null
        Set-Weights $api cruddur-backend-flask-tg 1 cruddur-backend-flask-tg-alt 1

        $results = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen

        ($results | Where-Object Name -EQ 'Path /*').Detail |
            Should -Be 'it has 2 actions (fixed-response, forward), not one forward; it does not forward to the service''s target group cruddur-frontend-react-js-tg -> forward to cruddur-frontend-react-js-tg 0, cruddur-frontend-react-js-tg-alt 100'
        ($results | Where-Object Name -EQ "Host api.$domain").Detail | Should -BeLike 'its weights add up to 2, not 100*-> forward to cruddur-backend-flask-tg 100, cruddur-backend-flask-tg-alt 0'
        Get-RuleLines 443 | Should -Be @($inShape[0], '50000 path-pattern=/* -> cruddur-frontend-react-js-tg 0, cruddur-frontend-react-js-tg-alt 100 [cruddur-frontend-react-js-production]')
    }

    It 'completes -Strategy with the four strategies' {
        $line = "Initialize-CruddurInfrastructure -Domain $domain -Strategy "
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('BlueGreen', 'Canary', 'Linear', 'Rolling')
        $line = "Initialize-CruddurInfrastructure -Domain $domain -Strategy b"
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('BlueGreen')
    }

    Context 'bad input' {
        It '<Case>' -ForEach @(
            @{ Case = 'the test listener on 443'; Port = 443; Id = 'EdgeTestListenerPortConflict'; Message = "Port 443 is the edge's production HTTPS listener*Pass another port, such as 8443." }
            @{ Case = 'the test listener on 80'; Port = 80; Id = 'EdgeTestListenerPortConflict'; Message = "Port 80 is the edge's HTTP redirect listener*" }
            @{ Case = 'a test listener port of 0'; Port = 0; Id = 'EdgePortInvalid'; Message = '0 is not a TCP port. Pass a test listener port from 1 to 65535*' }
            @{ Case = 'a test listener port above 65535'; Port = 65536; Id = 'EdgePortInvalid'; Message = '65536 is not a TCP port*' }
        ) {
            $before = Get-EdgeState
            { Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -Strategy BlueGreen -TestListenerPort $Port -ErrorAction Stop } |
                Should -Throw -ErrorId "$Id,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand" -ExpectedMessage $Message
            Get-EdgeState | Should -Be $before
        }

        It 'a test listener port without a strategy that shifts traffic is a warning' {
            Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -TestListenerPort 9443 -WarningVariable warned -WarningAction SilentlyContinue -WhatIf | Out-Null

            "$warned" | Should -Be '-TestListenerPort 9443 has no effect with -Strategy Rolling: only BlueGreen, Linear and Canary create the test listener.'
        }
    }
}
