# Deploy-CruddurService behind the load balancer: target groups named in service files, and deploys that only succeed when
# the simulator's ELBv2 stand-in reports every task of the deployment healthy in its target groups. The stack makes the
# simulator the ELBv2 endpoint (moto behind it for everything but DescribeTargetHealth of the services' groups).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Ecs
    $script:previousEnv = Set-CruddurStackEnvironment $stack

    function Invoke-Sim([string] $Path, $Body) {
        Invoke-RestMethod -Method Post "$($stack.EcsUrl)/_sim/$Path" -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress)
    }
    function New-TaskDefinitionFile([string] $Family) {
        $path = Join-Path $work "$Family.json"
        @{ family = $Family; networkMode = 'awsvpc'; cpu = '256'; memory = '512'; requiresCompatibilities = @('FARGATE')
           containerDefinitions = @(@{ name = $Family; image = "registry.local/${Family}:seed"; essential = $true; portMappings = @(@{ containerPort = 4567 }) }) } |
            ConvertTo-Json -Depth 6 | Set-Content $path
        $path
    }
    # The seed's service file, with the target group named instead of its account-specific ARN.
    function New-ServiceDefinitionFile([string] $Service, [hashtable] $LoadBalancer) {
        $path = Join-Path $work "service-$Service.json"
        [ordered]@{
            cluster = 'cruddur'; launchType = 'FARGATE'; desiredCount = 1; serviceName = $Service; taskDefinition = $Service
            loadBalancers = @($LoadBalancer + @{ containerName = $Service; containerPort = 4567 })
            networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = @($network.Subnet); securityGroups = @($network.SecurityGroup) } }
        } | ConvertTo-Json -Depth 6 | Set-Content $path
        $path
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Deploy-CruddurService with a load balancer' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        $script:network = Initialize-DeployPrerequisites
        $vpc = $network.VpcId
        $script:targetGroup = (Invoke-Aws elbv2 create-target-group --name cruddur-backend-flask-tg --protocol HTTP --port 4567 --target-type ip --vpc-id $vpc).TargetGroups[0].TargetGroupArn
        $script:work = New-TestFolder
    }

    It 'fills the target group''s ARN for its name, and succeeds once the task is healthy; the simulator registered it in moto' {
        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) `
            -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' }) -InformationVariable events

        $d.Outcome | Should -Be 'Succeeded'
        $service = (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0]
        $service.loadBalancers[0].targetGroupArn | Should -Be $targetGroup
        $task = (Invoke-Aws ecs describe-tasks --cluster cruddur --tasks (Invoke-Aws ecs list-tasks --cluster cruddur).taskArns[0]).tasks[0]
        $ip = ($task.attachments[0].details | Where-Object name -EQ privateIPv4Address).value
        # moto itself (not the stand-in) holds the registration.
        (Invoke-Aws elbv2 describe-target-health --target-group-arn $targetGroup --endpoint-url $stack.MotoUrl).TargetHealthDescriptions.Target.Id | Should -Be $ip
        "$events" | Should -Match ([regex]::Escape("registered 1 targets in (target-group $targetGroup)"))
    }

    It 'names the URLs the load balancer serves the service at: the api host rule over HTTPS and a plain HTTP listener, not the redirecting one' {
        $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
        $subnets = (Invoke-Aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc").Subnets.SubnetId
        $lb = (Invoke-Aws elbv2 create-load-balancer --name cruddur-alb --subnets $subnets).LoadBalancers[0]
        $certificate = (Invoke-Aws acm request-certificate --domain-name cruddur.example --subject-alternative-names '*.cruddur.example' --validation-method DNS).CertificateArn
        $forward = "Type=forward,TargetGroupArn=$targetGroup"
        Invoke-Aws elbv2 create-listener --load-balancer-arn $lb.LoadBalancerArn --protocol HTTP --port 80 `
            --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}' | Out-Null
        $https = (Invoke-Aws elbv2 create-listener --load-balancer-arn $lb.LoadBalancerArn --protocol HTTPS --port 443 --certificates "CertificateArn=$certificate" `
            --default-actions 'Type=fixed-response,FixedResponseConfig={StatusCode=404}').Listeners[0].ListenerArn
        Invoke-Aws elbv2 create-rule --listener-arn $https --priority 1 --conditions 'Field=host-header,Values=api.cruddur.example' --actions $forward | Out-Null
        Invoke-Aws elbv2 create-listener --load-balancer-arn $lb.LoadBalancerArn --protocol HTTP --port 4567 --default-actions $forward | Out-Null

        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) `
            -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' }) -InformationVariable information

        $d.Outcome | Should -Be 'Succeeded'
        $d.Urls | Should -Be @('https://api.cruddur.example', "http://$($lb.DNSName.ToLowerInvariant()):4567")
        ($information | Where-Object Tags -Contains 'PublicUrl').MessageData |
            Should -Be "cruddur/backend-flask: backend-flask:1 is served at https://api.cruddur.example, http://$($lb.DNSName.ToLowerInvariant()):4567"
        ($d | Format-List | Out-String) | Should -Match 'Urls\s+: \{https://api\.cruddur\.example, http://'
    }

    It 'names the domain the seed''s alias gives the load balancer, not its DNS name the certificate does not cover, nor the blue/green test listener' {
        $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
        $subnets = (Invoke-Aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc").Subnets.SubnetId
        $lb = (Invoke-Aws elbv2 create-load-balancer --name cruddur-alb --subnets $subnets).LoadBalancers[0]
        $certificate = (Invoke-Aws acm request-certificate --domain-name cruddur.example --subject-alternative-names '*.cruddur.example' --validation-method DNS).CertificateArn
        $forward = "Type=forward,TargetGroupArn=$targetGroup"
        Invoke-Aws elbv2 create-listener --load-balancer-arn $lb.LoadBalancerArn --protocol HTTPS --port 443 --certificates "CertificateArn=$certificate" --default-actions $forward | Out-Null
        Invoke-Aws elbv2 create-listener --load-balancer-arn $lb.LoadBalancerArn --protocol HTTPS --port 8443 --certificates "CertificateArn=$certificate" `
            --default-actions $forward --tags 'Key=Name,Value=cruddur-test-listener' | Out-Null
        $zone = (Invoke-Aws route53 create-hosted-zone --name cruddur.example --caller-reference (New-Guid)).HostedZone.Id
        $alias = @{ Changes = @(@{ Action = 'UPSERT'; ResourceRecordSet = @{ Name = 'cruddur.example.'; Type = 'A'
            AliasTarget = @{ HostedZoneId = $lb.CanonicalHostedZoneId; DNSName = "dualstack.$($lb.DNSName)."; EvaluateTargetHealth = $true } } }) }
        $batch = Join-Path $work 'alias.json'
        $alias | ConvertTo-Json -Depth 6 | Set-Content $batch
        Invoke-Aws route53 change-resource-record-sets --hosted-zone-id $zone --change-batch "file://$batch" | Out-Null

        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) `
            -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' })

        $d.Outcome | Should -Be 'Succeeded'
        $d.Urls | Should -Be @('https://cruddur.example')
    }

    It 'keeps the seed''s targetGroupArn form as it is' {
        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) `
            -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupArn = $targetGroup })

        $d.Outcome | Should -Be 'Succeeded'
        (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0].loadBalancers[0].targetGroupArn | Should -Be $targetGroup
        $d.Urls | Should -BeNullOrEmpty -Because 'no listener forwards to the group'

    }

    It 'fails with ELB''s reason code when the new tasks are unhealthy in the target group, then rolls back' {
        Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) `
            -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' }) | Out-Null
        Invoke-Sim target-health @{ cluster = 'cruddur'; service = 'backend-flask'; state = 'unhealthy'; reason = 'Target.ResponseCodeMismatch' } | Out-Null

        $failure = $null
        try { Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:broken' -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'DeployFailed,*'
        "$failure" | Should -Match 'in target group cruddur-backend-flask-tg is unhealthy: Target.ResponseCodeMismatch: Health checks failed with these codes: \[500\]'
        $failure.TargetObject.Outcome | Should -Be 'RolledBack' -Because 'a failed deployment is the error''s target'
        (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0].taskDefinition | Should -BeLike '*backend-flask:1'
    }

    It 'fails naming the missing target when the tasks are never registered' {
        Invoke-Sim target-health @{ cluster = 'cruddur'; service = 'backend-flask'; state = 'unregistered' } | Out-Null

        $failure = $null
        try {
            Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -Timeout 00:00:03 -ErrorAction Stop `
                -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' }) -OutVariable d | Out-Null
        } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'DeployFailed,*'
        "$failure" | Should -Match 'task \w+ \(10\.[0-9.]+\) in target group cruddur-backend-flask-tg is not registered'
    }

    It 'refuses a target group name ELBv2 does not know, before registering anything' {
        { Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -ErrorAction Stop `
            -ServiceDefinitionFile (New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-nope-tg' }) } |
            Should -Throw -ErrorId 'DeployTargetGroupNotFound,*' -ExpectedMessage "*names the target group 'cruddur-nope-tg', which does not exist*Initialize-CruddurInfrastructure -Domain*"
        (Invoke-Aws ecs list-task-definitions).taskDefinitionArns | Should -BeNullOrEmpty
    }

    Context 'blue/green resources named in the service file' {
        BeforeEach {
            # The edge -Strategy BlueGreen builds, made by hand: the alternate group, a production and a test rule forwarding to
            # both groups by weight, tagged with their names, and the role ECS assumes.
            $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
            $subnets = (Invoke-Aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc").Subnets.SubnetId
            $script:alternate = (Invoke-Aws elbv2 create-target-group --name cruddur-backend-flask-tg-alt --protocol HTTP --port 4567 --target-type ip --vpc-id $vpc).TargetGroups[0].TargetGroupArn
            $lb = (Invoke-Aws elbv2 create-load-balancer --name cruddur-alb --subnets $subnets).LoadBalancers[0].LoadBalancerArn
            $weighted = ConvertTo-Json -Depth 6 -Compress @(@{ Type = 'forward'; ForwardConfig = @{ TargetGroups = @(@{ TargetGroupArn = $targetGroup; Weight = 100 }, @{ TargetGroupArn = $alternate; Weight = 0 }) } })
            $script:rules = foreach ($port in 80, 8080) {
                $listener = (Invoke-Aws elbv2 create-listener --load-balancer-arn $lb --protocol HTTP --port $port --default-actions "Type=forward,TargetGroupArn=$targetGroup").Listeners[0].ListenerArn
                $name = if ($port -eq 80) { 'cruddur-backend-flask-production' } else { 'cruddur-backend-flask-test' }
                (Invoke-Aws elbv2 create-rule --listener-arn $listener --priority 10 --conditions 'Field=host-header,Values=api.cruddur.example' --actions $weighted --tags "Key=Name,Value=$name").Rules[0].RuleArn
            }
            $trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
            $script:role = (Invoke-Aws iam create-role --role-name CruddurEcsInfrastructureRoleForLoadBalancers --assume-role-policy-document $trust).Role.Arn
            $script:named = @{
                alternateTargetGroupName = 'cruddur-backend-flask-tg-alt'; productionListenerRuleName = 'cruddur-backend-flask-production'
                testListenerRuleName = 'cruddur-backend-flask-test'; roleName = 'CruddurEcsInfrastructureRoleForLoadBalancers'
            }
        }

        It 'sends ECS its own members with the ARNs, as botocore''s model of CreateService accepts them' {
            $file = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $named }

            $d = Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -ServiceDefinitionFile $file

            $d.Outcome | Should -Be 'Succeeded'
            $entry = (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0].loadBalancers[0]
            $entry.PSObject.Properties.Name | Sort-Object | Should -Be @('advancedConfiguration', 'containerName', 'containerPort', 'targetGroupArn')
            $entry.advancedConfiguration.PSObject.Properties | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" } |
                Should -Be @("alternateTargetGroupArn=$alternate", "productionListenerRule=$($rules[0])", "roleArn=$role", "testListenerRule=$($rules[1])")
            $validate = @'
import botocore.session, json, sys
from botocore.validate import ParamValidator
model = botocore.session.get_session().get_service_model("ecs").operation_model("CreateService").input_shape
report = ParamValidator().validate({"serviceName": "backend-flask", "loadBalancers": [json.loads(sys.argv[1])]}, model)
print(report.generate_report() or "valid")
'@
            python3 -c $validate ($entry | ConvertTo-Json -Depth 5 -Compress) | Should -Be 'valid'
        }

        It 'refuses <Case> before registering anything' -ForEach @(
            @{ Case = 'an alternate group nobody made'; Change = @{ alternateTargetGroupName = 'cruddur-backend-flask-tg-green' }; Id = 'DeployTargetGroupNotFound'; Message = "*the alternate target group 'cruddur-backend-flask-tg-green', which does not exist*-Strategy BlueGreen*" }
            @{ Case = 'a role nobody made'; Change = @{ roleName = 'ecsInfrastructureRole' }; Id = 'DeployInfrastructureRoleNotFound'; Message = "*the role 'ecsInfrastructureRole', which does not exist*" }
            @{ Case = 'a rule no rule is tagged with'; Change = @{ testListenerRuleName = 'cruddur-backend-flask-tst' }; Id = 'DeployListenerRuleNotFound'; Message = '*no rule tagged Name=cruddur-backend-flask-tst forwards on the load balancers behind cruddur-backend-flask-tg, cruddur-backend-flask-tg-alt*aws elbv2 add-tags*' }
            @{ Case = 'a name beside its ARN'; Change = @{ roleArn = 'arn:aws:iam::123456789012:role/x' }; Id = 'DeployBlueGreenReferenceInvalid'; Message = '*advancedConfiguration needs either "roleArn" or a non-empty "roleName", not both*' }
            @{ Case = 'an empty name'; Change = @{ productionListenerRuleName = '' }; Id = 'DeployBlueGreenReferenceInvalid'; Message = '*"productionListenerRuleName"*' }
        ) {
            $configuration = $named.Clone()
            foreach ($key in $Change.Keys) { $configuration[$key] = $Change[$key] }
            $file = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $configuration }

            { Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -ServiceDefinitionFile $file -ErrorAction Stop } |
                Should -Throw -ErrorId "$Id,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand" -ExpectedMessage $Message
            (Invoke-Aws ecs list-task-definitions).taskDefinitionArns | Should -BeNullOrEmpty
            (Invoke-Aws ecs list-services --cluster cruddur).serviceArns | Should -BeNullOrEmpty
        }

        It 'refuses a rule name two rules carry, naming both' {
            Invoke-Aws elbv2 add-tags --resource-arns $rules[1] --tags 'Key=Name,Value=cruddur-backend-flask-production' | Out-Null
            $file = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $named }

            { Deploy-CruddurService backend-flask -TaskDefinitionFile (New-TaskDefinitionFile backend-flask) -ServiceDefinitionFile $file -ErrorAction Stop } |
                Should -Throw -ErrorId 'DeployListenerRuleAmbiguous,*' -ExpectedMessage "*2 rules carry that Name tag: $(($rules | Sort-Object) -join ', ')*"
            (Invoke-Aws ecs list-task-definitions).taskDefinitionArns | Should -BeNullOrEmpty
        }
    }
}
