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
            networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = @($network.Subnet); securityGroups = @($network.SecurityGroup) } }
        }
        if ($DeploymentConfiguration) { $definition.deploymentConfiguration = $DeploymentConfiguration }
        $definition | ConvertTo-Json -Depth 6 | Set-Content $path
        $path
    }
    function Get-Service { (Invoke-Aws ecs describe-services --cluster cruddur --services backend-flask).services[0] }
    # The production rule's forward action as "<group> <weight>, <group> <weight>" in group name order, read from moto itself.
    function Get-ProductionWeights {
        $rule = (Invoke-Aws elbv2 describe-rules --rule-arns $rules[0] --endpoint-url $stack.MotoUrl).Rules[0]
        ($rule.Actions[0].ForwardConfig.TargetGroups | ForEach-Object { "$($_.TargetGroupArn -replace '^.*:targetgroup/([^/]+)/.*$', '$1') $($_.Weight)" } | Sort-Object) -join ', '
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
        # What a deploy's own checks look for (the execution role, the default VPC's subnets and security group).
        $script:network = Initialize-DeployPrerequisites
        $vpc = $network.VpcId
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

    It 'releases linear and canary in their steps, with the settings sent as ECS names them' {
        Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $serviceFile -Strategy BlueGreen -BakeTime 0 | Out-Null

        $linear = Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v2' -Strategy Linear -StepPercent 50 -StepBakeTime 0 -BakeTime 0
        $linear.Outcome | Should -Be 'Succeeded'
        $linear.Strategy | Should -Be 'Linear'
        $linear.SourceRevisions | Should -Be @('backend-flask:1')
        $linear.TargetRevision | Should -Be 'backend-flask:2'
        $configuration = (Get-Service).deploymentConfiguration
        "$($configuration.strategy) $($configuration.linearConfiguration.stepPercent) $($configuration.linearConfiguration.stepBakeTimeInMinutes)" | Should -Be 'LINEAR 50 0'
        $steps = (Invoke-RestMethod "$($stack.EcsUrl)/_sim/service-deployments").serviceDeployments | Where-Object serviceDeploymentArn -EQ $linear.ServiceDeploymentArn
        @($steps.stages | Where-Object { $_.hookStage -eq 'PRODUCTION_TRAFFIC_SHIFT' }).greenPercent | Should -Be @(50, 100)

        $canary = Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v3' -Strategy Canary -CanaryPercent 10 -CanaryBakeTime 0
        $canary.Outcome | Should -Be 'Succeeded'
        $steps = (Invoke-RestMethod "$($stack.EcsUrl)/_sim/service-deployments").serviceDeployments | Where-Object serviceDeploymentArn -EQ $canary.ServiceDeploymentArn
        @($steps.stages | Where-Object { $_.hookStage -eq 'PRODUCTION_TRAFFIC_SHIFT' }).greenPercent | Should -Be @(10, 100)
        Get-ProductionWeights | Should -Be 'cruddur-backend-flask-tg 1, cruddur-backend-flask-tg-alt 0' -Because 'the third release went back to the first group'
    }

    It 'reports a failure in the test traffic stage with the stage and ECS''s reason, after ECS rolled it back' {
        Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $serviceFile -Strategy BlueGreen -BakeTime 0 | Out-Null
        Invoke-Sim stage-fault @{ cluster = 'cruddur'; service = 'backend-flask'; stage = 'TEST_TRAFFIC_SHIFT' } | Out-Null

        $failure = $null
        try { Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:broken' -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be 'DeployFailed,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'
        # ECS's reason names the stage; the stage last seen may be an earlier one, since a stage can pass between two polls.
        "$failure" | Should -BeLike '*ECS rolled the BlueGreen deployment back to backend-flask:1*It failed (last stage seen: *): Lifecycle stage TEST_TRAFFIC_SHIFT failed. ECS rolled the service back to backend-flask:1.*'
        $failure.TargetObject.Outcome | Should -Be 'RolledBackByEcs'
        $failure.TargetObject.Stage | Should -Be 'ROLLBACK_SUCCESSFUL'
        (Get-Service).taskDefinition | Should -BeLike '*backend-flask:1'
        Get-ProductionWeights | Should -Be 'cruddur-backend-flask-tg 1, cruddur-backend-flask-tg-alt 0'
        (Invoke-Aws ecs list-task-definitions).taskDefinitionArns.Count | Should -Be 2 -Because 'the cmdlet did not roll back a second time itself'
    }

    It 'stops at a PAUSE hook: Resume-CruddurDeployment continues it, and -Rollback sends the next release back' {
        $paused = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $advanced } `
            @{ strategy = 'BLUE_GREEN'; bakeTimeInMinutes = 0; lifecycleHooks = @(@{ targetType = 'PAUSE'; lifecycleStages = @('POST_TEST_TRAFFIC_SHIFT') }) }

        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $paused -WarningVariable warnings -WarningAction SilentlyContinue
        $d.Outcome | Should -Be 'Paused'
        $d.Stage | Should -Be 'POST_TEST_TRAFFIC_SHIFT'
        $d.PausedHookId | Should -Match '^ecs-pause-'
        "$warnings" | Should -BeLike "*waits for approval at POST_TEST_TRAFFIC_SHIFT (PAUSE hook $($d.PausedHookId)*Resume-CruddurDeployment -Cluster cruddur -Service backend-flask*"
        { Undo-CruddurDeployment backend-flask -TaskDefinition backend-flask:1 -WhatIf } | Should -Not -Throw

        $resumed = $d | Resume-CruddurDeployment
        $resumed.Outcome | Should -Be 'Succeeded'
        $resumed.TargetRevision | Should -Be 'backend-flask:1'

        $next = Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v2' -WarningAction SilentlyContinue
        $next.Outcome | Should -Be 'Paused'
        Resume-CruddurDeployment backend-flask -Rollback -WhatIf
        (Invoke-Aws ecs describe-service-deployments --service-deployment-arns $next.ServiceDeploymentArn).serviceDeployments[0].status | Should -Be 'IN_PROGRESS' -Because '-WhatIf changes nothing'

        $back = Resume-CruddurDeployment backend-flask -Rollback -Confirm:$false
        $back.Outcome | Should -Be 'RolledBackByEcs'
        (Get-Service).taskDefinition | Should -BeLike '*backend-flask:1'
        { Resume-CruddurDeployment backend-flask -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployNotPaused,Cruddur.PowerShell.Commands.ResumeCruddurDeploymentCommand' -ExpectedMessage '*No deployment of cruddur/backend-flask waits at a PAUSE hook (none is under way)*'
    }

    It 'returns once traffic moved with -WaitUntil Deployed; Undo during the bake stops the deployment and traffic goes back to blue' {
        Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $serviceFile -Strategy BlueGreen -BakeTime 0 | Out-Null

        $d = Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v2' -BakeTime 1440 -WaitUntil Deployed
        $d.Outcome | Should -Be 'Reached'
        $d.ProductionTrafficPercent | Should -Be 100
        Get-ProductionWeights | Should -Be 'cruddur-backend-flask-tg 0, cruddur-backend-flask-tg-alt 1'

        $undo = Undo-CruddurDeployment backend-flask -Force

        $undo.Undo | Should -Be 'StoppedDeployment'
        $undo.Outcome | Should -Be 'Succeeded'
        $undo.TargetRevision | Should -Be 'backend-flask:2'
        $undo.SourceRevisions | Should -Be @('backend-flask:1')
        (Get-Service).taskDefinition | Should -BeLike '*backend-flask:1'
        Get-ProductionWeights | Should -Be 'cruddur-backend-flask-tg 1, cruddur-backend-flask-tg-alt 0'
        (Invoke-Aws ecs describe-service-deployments --service-deployment-arns $d.ServiceDeploymentArn).serviceDeployments[0].status | Should -Be 'ROLLBACK_SUCCESSFUL'

        # Not waited for: it is a blue/green release of its own, with the service's one-day bake.
        $again = Undo-CruddurDeployment backend-flask -TaskDefinition backend-flask:1 -Force -NoWait
        $again.Undo | Should -Be 'Redeployed' -Because 'nothing is under way any more'
    }

    It 'shows a switch from rolling to blue/green in the -WhatIf diff, then makes it with the file''s advancedConfiguration' {
        $rolling = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' }
        Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $rolling | Out-Null
        $serviceFile = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $advanced }

        $text = Get-WhatIfText { Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v2' -ServiceDefinitionFile $serviceFile -Strategy BlueGreen -WhatIf }
        $text | Should -Match 'deploymentConfiguration\.strategy: ROLLING -> BLUE_GREEN'
        $text | Should -Match 'deploymentConfiguration\.bakeTimeInMinutes: \(not set\) -> 5'
        $text | Should -Match 'loadBalancers: with advancedConfiguration from the service file'
        (Get-Service).deploymentConfiguration.strategy | Should -Not -Be 'BLUE_GREEN'
        (Invoke-Aws ecs list-task-definitions).taskDefinitionArns.Count | Should -Be 1

        $d = Deploy-CruddurService backend-flask -Image 'registry.local/backend-flask:v2' -ServiceDefinitionFile $serviceFile -Strategy BlueGreen -BakeTime 0
        $d.Outcome | Should -Be 'Succeeded'
        $d.Strategy | Should -Be 'BlueGreen'
        (Get-Service).loadBalancers[0].advancedConfiguration.alternateTargetGroupArn | Should -Be $alternate
    }

    It 'refuses <Case> before registering anything' -ForEach @(
        @{ Case = 'a step percent below 3'; Arguments = @{ Strategy = 'Linear'; StepPercent = 2 }; Id = 'DeployStrategyValueOutOfRange'; Message = '*step percent 2 is not one ECS accepts: a multiple of 0.1 from 3.0 to 100.0*' }
        @{ Case = 'a canary percent finer than 0.1'; Arguments = @{ Strategy = 'Canary'; CanaryPercent = 12.34 }; Id = 'DeployStrategyValueOutOfRange'; Message = '*canary percent 12.34*' }
        @{ Case = 'a bake time over a day'; Arguments = @{ Strategy = 'BlueGreen'; BakeTime = 1441 }; Id = 'DeployStrategyValueOutOfRange'; Message = '*whole minutes from 0 to 1440*' }
        @{ Case = 'a bake time in seconds'; Arguments = @{ Strategy = 'BlueGreen'; BakeTime = '00:00:30' }; Id = 'DeployStrategyValueOutOfRange'; Message = '*bake time 00:00:30*' }
        @{ Case = 'a canary percent with blue/green'; Arguments = @{ Strategy = 'BlueGreen'; CanaryPercent = 10 }; Id = 'DeployStrategyOptionMismatch'; Message = '*belongs to the Canary strategy, but the strategy is BlueGreen*' }
        @{ Case = 'a bake time with rolling'; Arguments = @{ BakeTime = 5 }; Id = 'DeployStrategyOptionMismatch'; Message = '*a bake time belongs to the BlueGreen strategy*but the strategy is Rolling*' }
    ) {
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $serviceFile @Arguments -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand" -ExpectedMessage $Message
        (Invoke-Aws ecs list-task-definitions).taskDefinitionArns | Should -BeNullOrEmpty
    }

    It 'refuses blue/green without an alternate target group, and an edge the preflight rejects, before registering anything' {
        $plain = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg' }
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $plain -Strategy BlueGreen -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployStrategyNeedsAlternateTargetGroup,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand' -ExpectedMessage '*"alternateTargetGroupName": "cruddur-backend-flask-tg-alt"*'

        Invoke-Aws iam detach-role-policy --role-name CruddurEcsInfrastructureRoleForLoadBalancers --policy-arn arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers | Out-Null
        # The file above took the service file's path: write the one with the advancedConfiguration again.
        $advancedFile = New-ServiceDefinitionFile backend-flask @{ targetGroupName = 'cruddur-backend-flask-tg'; advancedConfiguration = $advanced }
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $taskFile -ServiceDefinitionFile $advancedFile -Strategy Canary -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeployBlueGreenEdgeNotReady,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand' -ExpectedMessage '*lacks the AWS-managed AmazonECSInfrastructureRolePolicyForLoadBalancers*'
        (Invoke-Aws ecs list-task-definitions).taskDefinitionArns | Should -BeNullOrEmpty
    }
}
