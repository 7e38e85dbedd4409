# Deploy-CruddurService -Strategy BlueGreen|Linear|Canary against the simulator's blue/green-family deployments: the edge
# ECS shifts traffic in (made by hand as Initialize-CruddurInfrastructure -Strategy BlueGreen makes it: an alternate target
# group, production and test rules forwarding to both groups by weight with Name tags, the infrastructure role with its
# managed policy), the settings sent to ECS, and the refusals before anything is registered.
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
    function New-ServiceDefinitionFile([string] $Service, [hashtable] $LoadBalancer, [hashtable] $DeploymentConfiguration) {
        $path = Join-Path $work "service-$Service.json"
        $definition = [ordered]@{
            cluster = 'cruddur'; launchType = 'FARGATE'; desiredCount = 1; serviceName = $Service; taskDefinition = $Service
            loadBalancers = @($LoadBalancer + @{ containerName = $Service; containerPort = 4567 })
            networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = @('subnet-1'); securityGroups = @('sg-1') } }
        }
        if ($DeploymentConfiguration) { $definition.deploymentConfiguration = $DeploymentConfiguration }
        $definition | ConvertTo-Json -Depth 6 | Set-Content $path
        $path
    }
    function Get-Service { (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0] }
    # The production rule's forward action as "<group> <weight>, <group> <weight>", read from moto itself.
    function Get-ProductionWeights {
        $rule = (Invoke-Aws elbv2 describe-rules --rule-arns $rules[0] --endpoint-url $stack.MotoUrl).Rules[0]
        ($rule.Actions[0].ForwardConfig.TargetGroups | ForEach-Object { "$($_.TargetGroupArn -replace '^.*:targetgroup/([^/]+)/.*$', '$1') $($_.Weight)" }) -join ', '
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Deploy-CruddurService -Strategy' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        $script:work = New-TestFolder
        $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
        $subnets = (Invoke-Aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc").Subnets.SubnetId
        $script:targetGroup = (Invoke-Aws elbv2 create-target-group --name cruddur-backend-flask-tg --protocol HTTP --port 4567 --target-type ip --vpc-id $vpc).TargetGroups[0].TargetGroupArn
        $script:alternate = (Invoke-Aws elbv2 create-target-group --name cruddur-backend-flask-tg-alt --protocol HTTP --port 4567 --target-type ip --vpc-id $vpc).TargetGroups[0].TargetGroupArn
        $lb = (Invoke-Aws elbv2 create-load-balancer --name cruddur-alb --subnets $subnets).LoadBalancers[0].LoadBalancerArn
        $weighted = ConvertTo-Json -Depth 6 -Compress @(@{ Type = 'forward'; ForwardConfig = @{ TargetGroups = @(@{ TargetGroupArn = $targetGroup; Weight = 100 }, @{ TargetGroupArn = $alternate; Weight = 0 }) } })
        $script:rules = foreach ($port in 80, 8443) {
            $listener = (Invoke-Aws elbv2 create-listener --load-balancer-arn $lb --protocol HTTP --port $port --default-actions "Type=forward,TargetGroupArn=$targetGroup").Listeners[0].ListenerArn
            $name = if ($port -eq 80) { 'cruddur-backend-flask-production' } else { 'cruddur-backend-flask-test' }
            (Invoke-Aws elbv2 create-rule --listener-arn $listener --priority 10 --conditions 'Field=host-header,Values=api.cruddur.example' --actions $weighted --tags "Key=Name,Value=$name").Rules[0].RuleArn
        }
        $trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        $script:role = (Invoke-Aws iam create-role --role-name CruddurEcsInfrastructureRoleForLoadBalancers --assume-role-policy-document $trust).Role.Arn
        Invoke-Aws iam attach-role-policy --role-name CruddurEcsInfrastructureRoleForLoadBalancers --policy-arn arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers | Out-Null
        $script:advanced = @{
            alternateTargetGroupName = 'cruddur-backend-flask-tg-alt'; productionListenerRuleName = 'cruddur-backend-flask-production'
            testListenerRuleName = 'cruddur-backend-flask-test'; roleName = 'CruddurEcsInfrastructureRoleForLoadBalancers'
        }
        $script:taskFile = New-TaskDefinitionFile backend-flask
        $script:serviceFile = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $advanced }
    }

    It 'creates a service blue/green with the bake time given, and releases the next revision blue/green: traffic moved to the alternate group' {
        $first = Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $serviceFile -Strategy BlueGreen -BakeTime 1
        $first.Outcome | Should -Be 'Succeeded'
        $first.Strategy | Should -Be 'BlueGreen'
        $configuration = (Get-Service).deploymentConfiguration
        $configuration.strategy | Should -Be 'BLUE_GREEN'
        $configuration.bakeTimeInMinutes | Should -Be 1

        $second = Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v2'

        $second.Outcome | Should -Be 'Succeeded'
        $second.Strategy | Should -Be 'BlueGreen' -Because 'the service keeps the strategy it has'
        (Get-Service).taskDefinition | Should -BeLike '*backend-flask:2'
        Get-ProductionWeights | Should -Be 'cruddur-backend-flask-tg 0, cruddur-backend-flask-tg-alt 1'
    }
}
