# Initialize-CruddurInfrastructure -Domain: the seed's load balancer, HTTPS and DNS against moto (ELBv2, ACM, Route 53,
# EC2 on one endpoint). moto issues a DNS-validated certificate after MOTO_ACM_VALIDATION_WAIT seconds: 2 here for the
# ISSUED path, an hour in the context that proves the never-validates path.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Ecs -AcmValidationSeconds 2
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:policies = Join-Path $RepoRoot 'demo/cruddur/aws/policies'
    $script:domain = 'cruddur.example'
    $script:edgeResources = @(
        "HostedZone $domain", 'SecurityGroup cruddur-loadbalancer-security-group', 'SecurityGroup cruddur-ecs-security-group',
        'LoadBalancer cruddur-application-loadbalancer', 'TargetGroup cruddur-backend-flask-tg', 'TargetGroup cruddur-frontend-react-js-tg',
        'Listener HTTP:80', "DnsRecord $domain A", "DnsRecord api.$domain A", "Certificate $domain", 'Listener HTTPS:443',
        "ListenerRule Host api.$domain")

    function Get-EdgeLines($Results) { @($Results | Where-Object { $_.Kind -notin 'LogGroup', 'EcsCluster', 'EcrRepository' -and $_.Kind -notlike 'Iam*' } | ForEach-Object { "$($_.Kind) $($_.Name) $($_.Status)" }) }
    # The whole edge as the account holds it, read with boto3 in one process (the aws CLI costs seconds per call here).
    $script:stateScript = @'
import boto3, json
elb = boto3.client("elbv2"); ec2 = boto3.client("ec2"); r53 = boto3.client("route53"); acm = boto3.client("acm"); s = {}
s["lbs"] = [(l["LoadBalancerName"], l["Scheme"], sorted(l.get("SecurityGroups", []))) for l in elb.describe_load_balancers()["LoadBalancers"]]
s["tgs"] = sorted((t["TargetGroupName"], t["Port"], t["TargetType"], t["HealthCheckPath"], t["HealthyThresholdCount"]) for t in elb.describe_target_groups()["TargetGroups"])
lst = [l for lb in elb.describe_load_balancers()["LoadBalancers"] for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]]
k = lambda x: json.dumps(x, sort_keys=True, default=str)  # rows hold dicts, which Python cannot order
s["listeners"] = sorted(((l["Port"], l["Protocol"], [c["CertificateArn"] for c in l.get("Certificates", [])], l["DefaultActions"]) for l in lst), key=k)
s["rules"] = sorted(((r["Priority"], r["Conditions"], r["Actions"]) for l in lst for r in elb.describe_rules(ListenerArn=l["ListenerArn"])["Rules"]), key=k)
s["groups"] = sorted((g["GroupName"], sorted((p.get("FromPort"), sorted(r["CidrIp"] for r in p.get("IpRanges", [])), sorted(u["GroupId"] for u in p.get("UserIdGroupPairs", []))) for p in g["IpPermissions"])) for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default")
s["zones"] = {z["Name"]: sorted((r["Name"], r["Type"], r.get("AliasTarget", {}).get("DNSName"), [v["Value"] for v in r.get("ResourceRecords", [])]) for r in r53.list_resource_record_sets(HostedZoneId=z["Id"])["ResourceRecordSets"]) for z in r53.list_hosted_zones()["HostedZones"]}
s["certs"] = sorted(c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"])
print(json.dumps(s, sort_keys=True, indent=1, default=str))
'@
    function Get-EdgeState {
        $text = Invoke-TestPython $stateScript
        if ($LASTEXITCODE) { throw 'reading the edge state failed' }
        $text -join "`n"
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Initialize-CruddurInfrastructure -Domain' {
    BeforeEach { Reset-CruddurStack $stack }

    It 'builds the edge in an empty account as the aws CLI sees it, and a second run changes nothing' {
        $first = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -CertificateTimeoutSeconds 60

        Get-EdgeLines $first | Should -Be ($edgeResources | ForEach-Object { "$_ Created" })
        ($first | Where-Object Kind -EQ HostedZone).Detail | Should -Match "set these name servers at the registrar of ${domain}: ns-\S+, ns-"
        $lb = (Invoke-Aws elbv2 describe-load-balancers --names cruddur-application-loadbalancer).LoadBalancers[0]
        $lb.Scheme | Should -Be 'internet-facing'
        $lb.AvailabilityZones.Count | Should -Be (Invoke-Aws ec2 describe-subnets).Subnets.Count
        $lbGroup = ($first | Where-Object Name -EQ 'cruddur-loadbalancer-security-group').Id
        $lb.SecurityGroups | Should -Be @($lbGroup)
        $certificate = ($first | Where-Object Kind -EQ Certificate).Id
        (Invoke-Aws acm describe-certificate --certificate-arn $certificate).Certificate | ForEach-Object {
            $_.Status | Should -Be 'ISSUED'
            $_.SubjectAlternativeNames | Sort-Object | Should -Be @("*.$domain", $domain)
        }
        $listeners = (Invoke-Aws elbv2 describe-listeners --load-balancer-arn $lb.LoadBalancerArn).Listeners | Sort-Object Port
        $listeners.Port | Should -Be @(80, 443)
        $listeners[0].DefaultActions[0].Type | Should -Be 'redirect'
        $listeners[0].DefaultActions[0].RedirectConfig.Protocol, $listeners[0].DefaultActions[0].RedirectConfig.Port | Should -Be @('HTTPS', '443')
        $listeners[1].Protocol | Should -Be 'HTTPS'
        $listeners[1].Certificates.CertificateArn | Should -Be $certificate
        $groups = (Invoke-Aws elbv2 describe-target-groups).TargetGroups | Sort-Object Port
        $groups | ForEach-Object { "$($_.TargetGroupName) $($_.TargetType) $($_.Protocol):$($_.Port) $($_.HealthCheckPath) $($_.HealthyThresholdCount)" } |
            Should -Be @('cruddur-frontend-react-js-tg ip HTTP:3000 / 3', 'cruddur-backend-flask-tg ip HTTP:4567 /api/health-check 3')
        $listeners[1].DefaultActions[0].TargetGroupArn | Should -Be $groups[0].TargetGroupArn
        $rule = (Invoke-Aws elbv2 describe-rules --listener-arn $listeners[1].ListenerArn).Rules | Where-Object IsDefault -EQ $false
        $rule.Conditions[0].HostHeaderConfig.Values | Should -Be @("api.$domain")
        $rule.Actions[0].TargetGroupArn | Should -Be $groups[1].TargetGroupArn
        $zone = ($first | Where-Object Kind -EQ HostedZone).Id
        $records = (Invoke-Aws route53 list-resource-record-sets --hosted-zone-id $zone).ResourceRecordSets
        ($records | Where-Object Type -EQ A | ForEach-Object { "$($_.Name) $($_.AliasTarget.DNSName.TrimEnd('.'))" }) |
            Should -Be @("$domain. $($lb.DNSName)", "api.$domain. $($lb.DNSName)")
        $validation = (Invoke-Aws acm describe-certificate --certificate-arn $certificate).Certificate.DomainValidationOptions[0].ResourceRecord
        ($records | Where-Object Type -EQ CNAME).Name | Should -Be $validation.Name
        $ecsGroup = (Invoke-Aws ec2 describe-security-groups --filters 'Name=group-name,Values=cruddur-ecs-security-group').SecurityGroups[0]
        $ecsGroup.IpPermissions | ForEach-Object { "$($_.FromPort) $($_.UserIdGroupPairs.GroupId) $($_.IpRanges.CidrIp)".Trim() } | Sort-Object |
            Should -Be @("3000 $lbGroup", "4567 $lbGroup")
        $state = Get-EdgeState

        $second = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain

        Get-EdgeLines $second | Should -Be ($edgeResources | ForEach-Object { "$_ Exists" })
        $second.Id | Should -Be $first.Id
        Get-EdgeState | Should -Be $state
    }

    It 'brings a hand-made edge in line: the seed''s open ECS rule, a changed health check, a narrower -AllowedCidr, the temporary listener only with -Force' {
        Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain | Out-Null
        # The seed's pre-load-balancer state (4567 open to anywhere) and its console steps.
        Initialize-CruddurInfrastructure -PolicyPath $policies | Out-Null
        $backend = (Invoke-Aws elbv2 describe-target-groups --names cruddur-backend-flask-tg).TargetGroups[0].TargetGroupArn
        Invoke-Aws elbv2 modify-target-group --target-group-arn $backend --health-check-path /health --healthy-threshold-count 5 | Out-Null
        $lb = (Invoke-Aws elbv2 describe-load-balancers --names cruddur-application-loadbalancer).LoadBalancers[0].LoadBalancerArn
        Invoke-Aws elbv2 create-listener --load-balancer-arn $lb --protocol HTTP --port 4567 --default-actions "Type=forward,TargetGroupArn=$backend" | Out-Null

        $results = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -AllowedCidr 203.0.113.7/32 -WarningAction SilentlyContinue

        Get-EdgeLines $results | Should -Be @(
            "HostedZone $domain Exists", 'SecurityGroup cruddur-loadbalancer-security-group Updated', 'SecurityGroup cruddur-ecs-security-group Updated',
            'LoadBalancer cruddur-application-loadbalancer Exists', 'TargetGroup cruddur-backend-flask-tg Updated', 'TargetGroup cruddur-frontend-react-js-tg Exists',
            'Listener HTTP:80 Exists', "DnsRecord $domain A Exists", "DnsRecord api.$domain A Exists", "Certificate $domain Exists",
            'Listener HTTPS:443 Exists', "ListenerRule Host api.$domain Exists", 'Listener HTTP:4567 Exists')
        ($results | Where-Object Name -EQ 'cruddur-ecs-security-group').Detail | Should -BeLike '*tcp 4567 from 0.0.0.0/0 to be removed*'
        ($results | Where-Object Name -EQ 'HTTP:4567').Detail | Should -BeLike '*kept (Initialize-CruddurInfrastructure -Force removes it)*'
        $lbRules = (Invoke-Aws ec2 describe-security-groups --filters 'Name=group-name,Values=cruddur-loadbalancer-security-group').SecurityGroups[0].IpPermissions
        $lbRules | ForEach-Object { "$($_.FromPort) $($_.IpRanges.CidrIp)" } | Sort-Object | Should -Be @('443 203.0.113.7/32', '80 203.0.113.7/32')
        (Invoke-Aws ec2 describe-security-groups --filters 'Name=group-name,Values=cruddur-ecs-security-group').SecurityGroups[0].IpPermissions.IpRanges |
            Should -BeNullOrEmpty
        (Invoke-Aws elbv2 describe-target-groups --names cruddur-backend-flask-tg).TargetGroups[0] | ForEach-Object {
            "$($_.HealthCheckPath) $($_.HealthyThresholdCount)" | Should -Be '/api/health-check 3'
        }

        $forced = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -AllowedCidr 203.0.113.7/32 -Force

        ($forced | Where-Object Kind -EQ Listener | ForEach-Object { "$($_.Name) $($_.Status)" }) | Should -Be @('HTTP:80 Exists', 'HTTPS:443 Exists', 'HTTP:4567 Removed')
        (Invoke-Aws elbv2 describe-listeners --load-balancer-arn $lb).Listeners.Port | Sort-Object | Should -Be @(80, 443)
    }

    It 'lists every edge resource under -WhatIf and changes nothing' {
        $before = Get-EdgeState

        $text = Get-WhatIfText { Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -WhatIf }

        foreach ($resource in $edgeResources) { $text | Should -Match ([regex]::Escape("What if: Performing the operation `"Create`" on target `"$resource`"")) }
        Get-EdgeState | Should -Be $before
    }

    It 'completes -Domain and -HostedZoneId from the public hosted zones, and -LoadBalancerName from the load balancers' {
        $zone = (Invoke-Aws route53 create-hosted-zone --name $domain --caller-reference ([guid]::NewGuid())).HostedZone.Id -replace '^/hostedzone/'
        Invoke-Aws route53 create-hosted-zone --name other.example --caller-reference ([guid]::NewGuid()) | Out-Null
        $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
        Invoke-Aws route53 create-hosted-zone --name private.example --caller-reference ([guid]::NewGuid()) --hosted-zone-config PrivateZone=true `
            --vpc "VPCRegion=$env:AWS_REGION,VPCId=$vpc" | Out-Null
        $subnets = (Invoke-Aws ec2 describe-subnets).Subnets.SubnetId
        foreach ($name in 'cruddur-application-loadbalancer', 'other-alb') { Invoke-Aws elbv2 create-load-balancer --name $name --subnets @subnets | Out-Null }
        function Complete([string] $Line) { (TabExpansion2 $Line $Line.Length).CompletionMatches }

        (Complete 'Initialize-CruddurInfrastructure -Domain ').CompletionText | Should -Be @($domain, 'other.example') -Because 'a private zone cannot validate a public certificate'
        (Complete 'Initialize-CruddurInfrastructure -Domain cru').ToolTip | Should -Be @($zone)
        (Complete "Initialize-CruddurInfrastructure -Domain $domain -HostedZoneId ").CompletionText | Should -Be @($zone)
        (Complete "Initialize-CruddurInfrastructure -Domain $domain -LoadBalancerName cru").CompletionText | Should -Be @('cruddur-application-loadbalancer')
        (Complete "Initialize-CruddurInfrastructure -Domain $domain -LoadBalancerName ").CompletionText | Should -Be @('cruddur-application-loadbalancer', 'other-alb')
    }

    Context 'bad input' {
        It '<Case>' -ForEach @(
            @{ Case = 'invalid domain'; Id = 'EdgeDomainInvalid'; Message = "*'https://cruddur.example/' is not a domain name*"; Arguments = @{ Domain = 'https://cruddur.example/' } }
            @{ Case = 'CIDR that is not a CIDR'; Id = 'EdgeCidrInvalid'; Message = "*'203.0.113.7' is not an IPv4 CIDR*"; Arguments = @{ Domain = 'cruddur.example'; AllowedCidr = '203.0.113.7' } }
            @{ Case = 'certificate ARN that is not one'; Id = 'EdgeCertificateArnInvalid'; Message = "*is not an ACM certificate ARN*"; Arguments = @{ Domain = 'cruddur.example'; CertificateArn = 'cert-1' } }
        ) {
            $before = Get-EdgeState
            { Initialize-CruddurInfrastructure -PolicyPath $policies @Arguments -ErrorAction Stop } |
                Should -Throw -ErrorId "$Id,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand" -ExpectedMessage $Message
            Get-EdgeState | Should -Be $before
        }

        It 'a hosted zone this account does not have (another account''s): stops at the zone and reports it' {
            $failure = $null
            try { $null = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -HostedZoneId Z0THEIRS0000 -OutVariable done } catch { $failure = $_ }

            $failure.FullyQualifiedErrorId | Should -Be 'EdgeHostedZoneNotFound,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand'
            "$failure" | Should -BeLike "*no hosted zone 'Z0THEIRS0000' (it may belong to another account)*"
            Get-EdgeLines $done | Should -Be @("HostedZone $domain Failed")
            (Invoke-Aws elbv2 describe-load-balancers).LoadBalancers | Should -BeNullOrEmpty
        }

        It 'an existing internal load balancer of that name: stops there, names it, and reports what was done before' {
            $subnets = (Invoke-Aws ec2 describe-subnets).Subnets.SubnetId
            Invoke-Aws elbv2 create-load-balancer --name cruddur-application-loadbalancer --scheme internal --subnets @subnets | Out-Null

            $failure = $null
            try { $null = Initialize-CruddurInfrastructure -PolicyPath $policies -Domain $domain -OutVariable done } catch { $failure = $_ }

            $failure.FullyQualifiedErrorId | Should -Be 'EdgeLoadBalancerSchemeMismatch,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand'
            "$failure" | Should -BeLike "*'cruddur-application-loadbalancer' exists but is internal, not internet-facing*delete-load-balancer*"
            Get-EdgeLines $done | Should -Be (@($edgeResources[0..2] | ForEach-Object { "$_ Created" }) + 'LoadBalancer cruddur-application-loadbalancer Failed')
            (Invoke-Aws elbv2 describe-target-groups).TargetGroups | Should -BeNullOrEmpty
        }
    }
}

Describe 'Initialize-CruddurInfrastructure -Domain with a certificate that never validates' {
    BeforeAll {
        Restore-CruddurStackEnvironment $previousEnv
        $script:slowStack = Start-CruddurStack Moto -AcmValidationSeconds 3600
        $script:slowEnv = Set-CruddurStackEnvironment $slowStack
    }
    AfterAll {
        Restore-CruddurStackEnvironment $slowEnv
        Stop-CruddurStack $slowStack
        $script:previousEnv = Set-CruddurStackEnvironment $stack
    }

    It 'times out naming the pending records, after writing them and everything that does not need the certificate' {
        $failure = $null
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try { $null = Initialize-CruddurInfrastructure -Domain $domain -CertificateTimeoutSeconds 2 -OutVariable done } catch { $failure = $_ }
        $clock.Stop()

        $failure.FullyQualifiedErrorId | Should -Be 'EdgeCertificateNotIssued,Cruddur.PowerShell.Commands.InitializeCruddurInfrastructureCommand'
        $failure.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $certificate = (Invoke-Aws acm list-certificates --certificate-statuses PENDING_VALIDATION).CertificateSummaryList[0].CertificateArn
        $record = (Invoke-Aws acm describe-certificate --certificate-arn $certificate).Certificate.DomainValidationOptions[0].ResourceRecord
        "$failure" | Should -BeLike "*still PENDING_VALIDATION after 2 s (pending records: CNAME $($record.Name) -> $($record.Value))*name servers*registrar*"
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        Get-EdgeLines $done | Should -Be @(($edgeResources[0..8] | ForEach-Object { "$_ Created" }) + "Certificate $domain Failed")
        $zone = ($done | Where-Object Kind -EQ HostedZone).Id
        ((Invoke-Aws route53 list-resource-record-sets --hosted-zone-id $zone).ResourceRecordSets | Where-Object Type -EQ CNAME).Name | Should -Be $record.Name
        (Invoke-Aws elbv2 describe-listeners --load-balancer-arn (Invoke-Aws elbv2 describe-load-balancers).LoadBalancers[0].LoadBalancerArn).Listeners.Port | Should -Be @(80)

        # A re-run waits for the same certificate instead of requesting another one.
        { Initialize-CruddurInfrastructure -Domain $domain -CertificateTimeoutSeconds 1 -ErrorAction Stop } | Should -Throw -ErrorId 'EdgeCertificateNotIssued,*'
        (Invoke-Aws acm list-certificates).CertificateSummaryList.Count | Should -Be 1
    }

    It 'stops the certificate wait at once on Ctrl+C and says what is in place' {
        Reset-CruddurStack $slowStack
        $recorder, $runspace, $ps = New-RecordedPipeline "Initialize-CruddurInfrastructure -Domain $domain"
        $async = $ps.BeginInvoke()
        try {
            $waiting = "Waiting for the certificate of $domain"
            # Read by index: the pipeline is still writing to the collection.
            Wait-Until { $p = $ps.Streams.Progress; $p.Count -and @(0..($p.Count - 1) | Where-Object { $p[$_].Activity -eq $waiting }).Count } 'the certificate wait' 120 | Out-Null

            $stopping = $ps.BeginStop($null, $null)
            $stopped = [Diagnostics.Stopwatch]::StartNew()
            # Depending on how far the engine got with the stop, the warning still reaches the warning stream or only the host.
            function Get-Told { @($recorder.Warnings) + @($ps.Streams.Warning | ForEach-Object Message) }
            while (-not (Get-Told) -and $stopped.Elapsed.TotalSeconds -lt 5) { Start-Sleep -Milliseconds 20 }
            $elapsed = $stopped.Elapsed.TotalSeconds
            $ps.EndStop($stopping)

            # A bound for a loaded machine (1.6 s seen beside a build), far below the next poll or the 600 s timeout.
            $elapsed | Should -BeLessThan 3 -Because 'the wait ends at Ctrl+C, not at its next poll or its 600 s timeout'
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $certificate = (Invoke-Aws acm list-certificates).CertificateSummaryList.CertificateArn
            $told = (Get-Told) -join "`n"
            $told | Should -BeLike "Stopped at Certificate '$domain': the certificate $certificate exists and its validation records are in the zone; it was PENDING_VALIDATION when the wait stopped, and a re-run waits for it*"
            $told | Should -BeLike "*, $(($edgeResources[0..8] | ForEach-Object { "$_ Created" }) -join ', '). Run Initialize-CruddurInfrastructure again to continue from here."
            (Invoke-Aws elbv2 describe-listeners --load-balancer-arn (Invoke-Aws elbv2 describe-load-balancers).LoadBalancers[0].LoadBalancerArn).Listeners.Port |
                Should -Be @(80) -Because 'nothing after the certificate was started'
        } finally { $ps.Dispose(); $runspace.Dispose() }
    }
}
