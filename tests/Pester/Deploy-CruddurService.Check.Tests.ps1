# Deploy-CruddurService -Check and the checks every deploy runs first, against moto (IAM, SSM, ECR, Logs, EC2, ELBv2) and the
# ECS simulator: the seed's own backend-flask task definition and service file, as they are, pass; each prerequisite removed
# once fails with its fix; and a deploy that fails them stops before registering anything.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Ecs
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:errorSuffix = ',Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'
    $script:seed = Join-Path $PSScriptRoot '../../demo/cruddur/aws' | Resolve-Path
    $script:taskDefinition = Join-Path $seed 'task-definitions/backend-flask.json'
    $script:serviceDefinition = Join-Path $seed 'ecs/service-backend-flask.json'
    $script:savedVariables = @{}
    foreach ($name in 'AWS_COGNITO_USER_POOL_ID', 'AWS_COGNITO_USER_POOL_CLIENT_ID', 'CRUDDUR_SUBNET_A', 'CRUDDUR_SUBNET_B', 'CRUDDUR_SUBNET_C', 'CRUDDUR_SERVICE_SG') {
        $savedVariables[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_COGNITO_USER_POOL_ID = 'us-east-1_seed'
    $env:AWS_COGNITO_USER_POOL_CLIENT_ID = 'seedclient'

    function Invoke-Check([string] $ServiceFile = $serviceDefinition) {
        Deploy-CruddurService backend-flask -TaskDefinitionFile $taskDefinition -ServiceDefinitionFile $ServiceFile -Check -ErrorAction Stop
    }
    function Get-Registered { @((Invoke-Aws ecs list-task-definitions).taskDefinitionArns) }
    # An empty account with what the seed's tasks need: the cluster, the log group, roles, secrets, images and a network.
    function Reset-SeedAccount {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        $script:prerequisites = Initialize-DeployPrerequisites -LogGroup cruddur -Seed
        $env:CRUDDUR_SUBNET_A, $env:CRUDDUR_SUBNET_B, $env:CRUDDUR_SUBNET_C = $prerequisites.Subnets
        $env:CRUDDUR_SERVICE_SG = $prerequisites.SecurityGroup
    }
}

AfterAll {
    foreach ($name in $savedVariables.Keys) { [Environment]::SetEnvironmentVariable($name, $savedVariables[$name]) }
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Deploy-CruddurService -Check' {
    BeforeEach { Reset-SeedAccount }

    It 'passes the seed''s backend-flask task definition and service file as they are, and registers nothing' {
        $checks = Invoke-Check

        $checks[0].PSObject.TypeNames[0] | Should -Be 'Cruddur.Core.Deployments.Preflight.DeployCheck'
        @($checks | Where-Object Status -NE 'Pass' | Where-Object Status -NE 'Info') | Should -BeNullOrEmpty
        $checks.Service | Sort-Object -Unique | Should -Be 'backend-flask'
        foreach ($name in 'Image', 'ExecutionRole', 'ExecutionRolePermissions', 'TaskRole', 'Secret', 'LogGroup', 'Network', 'TargetGroup') {
            @($checks | Where-Object Check -EQ $name | Where-Object Status -EQ 'Pass') | Should -Not -BeNullOrEmpty -Because "$name passes"
        }
        @($checks | Where-Object Check -EQ 'Secret').Count | Should -Be 5
        ($checks | Where-Object { $_.Check -eq 'Image' -and $_.Status -eq 'Pass' }).Detail | Should -Match ([regex]::Escape($prerequisites.ImageDigest))
        ($checks | Where-Object { $_.Check -eq 'Image' -and $_.Status -eq 'Info' }).Detail | Should -Match 'public\.ecr\.aws/xray.*not in a private ECR registry'
        Get-Registered | Should -BeNullOrEmpty
        (Invoke-Aws ecs list-services --cluster cruddur).serviceArns | Should -BeNullOrEmpty
    }

    It 'passes both seed services, checked together, and says how long the checks took' {
        $checks = Deploy-CruddurService backend-flask, frontend-react-js -TaskDefinitionFile (Join-Path $seed 'task-definitions') -ServiceDefinitionFile (Join-Path $seed 'ecs') -Check -Verbose -ErrorAction Stop 4>&1
        $verbose = @($checks | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Checked what the new tasks need*' })
        $rows = @($checks | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })

        $rows.Service | Sort-Object -Unique | Should -Be 'backend-flask', 'frontend-react-js'
        $rows | Where-Object Status -In 'Fail', 'Warn' | ForEach-Object { "$($_.Service) $($_.Check): $($_.Detail)" } | Should -BeNullOrEmpty
        $verbose.Count | Should -Be 1
        $verbose[0].Message | Should -Match "Checked what the new tasks need: $($rows.Count) checks of 2 service\(s\) in (\d+) ms, 0 failed\."
        Write-Host "preflight of the seed's two services: $($verbose[0].Message)"
    }

    It 'fails <Check> when <Removed> is removed, with its fix' -ForEach @(
        @{ Check = 'Image'; Removed = 'the image tag'; Remove = { Invoke-Aws ecr batch-delete-image --repository-name backend-flask --image-ids imageTag=latest | Out-Null }; Detail = '*latest is not in ECR repository backend-flask*CannotPullContainerError*'; Fix = '*Publish-CruddurImage backend-flask*' }
        @{ Check = 'ExecutionRole'; Removed = 'the execution role'; Remove = {
                Invoke-Aws iam delete-role-policy --role-name CruddurServiceExecutionRole --policy-name CruddurServiceExecutionPolicy | Out-Null
                Invoke-Aws iam delete-role --role-name CruddurServiceExecutionRole | Out-Null }; Detail = '*CruddurServiceExecutionRole does not exist*'; Fix = '*Initialize-CruddurInfrastructure*create-role --role-name CruddurServiceExecutionRole*' }
        @{ Check = 'ExecutionRole'; Removed = 'the execution role''s trust in ecs-tasks'; Remove = {
                $trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
                Invoke-Aws iam update-assume-role-policy --role-name CruddurServiceExecutionRole --policy-document $trust | Out-Null }; Detail = '*does not trust ecs-tasks.amazonaws.com*unable to assume the role*'; Fix = '*update-assume-role-policy*' }
        @{ Check = 'ExecutionRolePermissions'; Removed = 'the execution policy'; Remove = { Invoke-Aws iam delete-role-policy --role-name CruddurServiceExecutionRole --policy-name CruddurServiceExecutionPolicy | Out-Null }
            Detail = '*may not: ecr:GetAuthorizationToken on `**ecr:BatchGetImage on arn:aws:ecr:us-east-1:123456789012:repository/backend-flask*logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:cruddur:log-stream:backend-flask/backend-flask/*ssm:GetParameters on arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/CONNECTION_URL*'
            Fix = '*service-execution-policy.json*' }
        @{ Check = 'ExecutionRolePermissions'; Removed = 'parameter reading, by an explicit Deny'; Remove = {
                $deny = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ssm:GetParameter*","Resource":"arn:aws:ssm:*:*:parameter/cruddur/*"}]}'
                Invoke-Aws iam put-role-policy --role-name CruddurServiceExecutionRole --policy-name NoSecrets --policy-document $deny | Out-Null }
            Detail = '*ssm:GetParameters on arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/AWS_ACCESS_KEY_ID (secret AWS_ACCESS_KEY_ID, denied by NoSecrets)*'; Fix = '*remove any Deny*' }
        @{ Check = 'TaskRole'; Removed = 'the task role'; Remove = { Invoke-Aws iam delete-role --role-name CruddurTaskRole | Out-Null }; Detail = '*CruddurTaskRole does not exist*'; Fix = '*task-assume-execution-role.json*' }
        @{ Check = 'Secret'; Removed = 'a parameter'; Remove = { Invoke-Aws ssm delete-parameter --name /cruddur/backend-flask/CONNECTION_URL | Out-Null }
            Detail = '*CONNECTION_URL: the parameter /cruddur/backend-flask/CONNECTION_URL does not exist*unable to pull secrets or registry auth*'; Fix = '*Set-CruddurParameter -Name CONNECTION_URL -Path /cruddur/backend-flask*' }
        @{ Check = 'LogGroup'; Removed = 'the log group'; Remove = { Invoke-Aws logs delete-log-group --log-group-name cruddur | Out-Null }; Detail = '*log group cruddur does not exist in us-east-1*log group does not exist*'; Fix = '*create-log-group --log-group-name cruddur*awslogs-create-group*' }
        @{ Check = 'Network'; Removed = 'a subnet'; Remove = { Invoke-Aws ec2 delete-subnet --subnet-id $prerequisites.Subnets[1] | Out-Null }; Detail = '*subnet-*does not exist*'; Fix = '*subnets and security groups of one VPC*' }
    ) {
        & $Remove

        $checks = Invoke-Check
        $failed = @($checks | Where-Object Status -EQ 'Fail')

        $failed.Check | Sort-Object -Unique | Should -Be $Check
        $failed[0].Detail | Should -BeLike $Detail
        $failed[0].Fix | Should -BeLike $Fix
        Get-Registered | Should -BeNullOrEmpty
    }

    It 'fails TargetGroup when the service''s target group is gone' {
        Invoke-Aws elbv2 delete-target-group --target-group-arn $prerequisites.TargetGroupArn | Out-Null
        $file = Join-Path (New-TestFolder) 'service-backend-flask.json'
        (Get-Content $serviceDefinition -Raw).Replace('"targetGroupName": "cruddur-backend-flask-tg"', "`"targetGroupArn`": `"$($prerequisites.TargetGroupArn)`"") | Set-Content $file

        $failed = @(Invoke-Check $file | Where-Object Status -EQ 'Fail')

        $failed.Check | Should -Be 'TargetGroup'
        $failed[0].Detail | Should -BeLike "*$($prerequisites.TargetGroupArn) does not exist*"
    }

    It 'warns, without failing, when assignPublicIp is DISABLED in a public subnet' {
        $file = Join-Path (New-TestFolder) 'service-backend-flask.json'
        (Get-Content $serviceDefinition -Raw).Replace('"assignPublicIp": "ENABLED"', '"assignPublicIp": "DISABLED"') | Set-Content $file

        $checks = Invoke-Check $file

        $checks | Where-Object Status -EQ 'Fail' | Should -BeNullOrEmpty
        $warning = @($checks | Where-Object Status -EQ 'Warn')
        $warning[0].Check | Should -Be 'Network'
        $warning[0].Detail | Should -BeLike '*assignPublicIp is DISABLED*images will not pull*'
    }
}

Describe 'Deploy-CruddurService runs the checks first' {
    BeforeEach {
        Reset-CruddurStack $stack
        Invoke-Aws ecs create-cluster --cluster-name cruddur | Out-Null
        $script:prerequisites = Initialize-DeployPrerequisites -LogGroup cruddur -Seed
        $env:CRUDDUR_SUBNET_A, $env:CRUDDUR_SUBNET_B, $env:CRUDDUR_SUBNET_C = $prerequisites.Subnets
        $env:CRUDDUR_SERVICE_SG = $prerequisites.SecurityGroup
        Invoke-Aws logs delete-log-group --log-group-name cruddur | Out-Null
        Invoke-Aws ssm delete-parameter --name /cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN | Out-Null
    }

    It 'stops with DeployPreflightFailed listing every failed check before registering anything' {
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $taskDefinition -ServiceDefinitionFile $serviceDefinition -ErrorAction Stop } |
            Should -Throw -ErrorId "DeployPreflightFailed$errorSuffix"
        $Error[0].Exception.Message | Should -BeLike '*backend-flask LogGroup: *log group cruddur does not exist* Fix: *create-log-group*'
        $Error[0].Exception.Message | Should -BeLike '*backend-flask Secret: *ROLLBAR_ACCESS_TOKEN* Fix: *Set-CruddurParameter*'
        $Error[0].Exception.Message | Should -BeLike '*nothing was registered*'
        Get-Registered | Should -BeNullOrEmpty
        (Invoke-Aws ecs list-services --cluster cruddur).serviceArns | Should -BeNullOrEmpty
    }

    It 'deploys with -SkipCheck; the checks then fail nothing once the prerequisites are back' {
        $d = Deploy-CruddurService backend-flask -TaskDefinitionFile $taskDefinition -ServiceDefinitionFile $serviceDefinition -SkipCheck -NoWait -ErrorAction Stop
        $d.TaskDefinitionArn | Should -BeLike '*:task-definition/backend-flask:1'

        Invoke-Aws logs create-log-group --log-group-name cruddur | Out-Null
        Invoke-Aws ssm put-parameter --name /cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN --type SecureString --value v | Out-Null
        $checks = Deploy-CruddurService backend-flask -TaskDefinitionFile $taskDefinition -Check -ErrorAction Stop
        $checks | Where-Object Status -EQ 'Fail' | Should -BeNullOrEmpty
        ($checks | Where-Object Check -EQ 'TargetGroup').Status | Should -Be 'Pass' -Because 'the running service''s target group is checked'
        Get-Registered | Should -HaveCount 1
    }
}

Describe 'Deploy-CruddurService -SkipCheck meets what ECS finds at launch' {
    BeforeEach { Reset-SeedAccount }

    It 'refuses -Check with -SkipCheck with DeployCheckAndSkipCheck, checking and registering nothing' {
        { Deploy-CruddurService backend-flask -TaskDefinitionFile $taskDefinition -ServiceDefinitionFile $serviceDefinition -Check -SkipCheck -ErrorAction Stop } |
            Should -Throw -ErrorId "DeployCheckAndSkipCheck$errorSuffix" -ExpectedMessage '*pass one of them, not both*'
        Get-Registered | Should -BeNullOrEmpty
    }

    It 'fails a deploy whose secret''s parameter is gone with ECS''s own reason: the task never started' {
        Invoke-Aws ssm delete-parameter --name /cruddur/backend-flask/CONNECTION_URL | Out-Null

        { Deploy-CruddurService backend-flask -TaskDefinitionFile $taskDefinition -ServiceDefinitionFile $serviceDefinition -SkipCheck -ErrorAction Stop } |
            Should -Throw -ErrorId "DeployFailed$errorSuffix"
        $Error[0].Exception.Message | Should -BeLike '*ResourceInitializationError: unable to pull secrets or registry auth: *invalid ssm parameters: arn:aws:ssm:us-east-1:123456789012:parameter/cruddur/backend-flask/CONNECTION_URL*'
        $stopped = (Invoke-Aws ecs list-tasks --cluster cruddur --desired-status STOPPED).taskArns
        $stopped | Should -Not -BeNullOrEmpty
        $tasks = (Invoke-Aws ecs describe-tasks --cluster cruddur --tasks $stopped).tasks
        $tasks.stopCode | Sort-Object -Unique | Should -Be 'TaskFailedToStart'
        @($tasks | Where-Object startedAt) | Should -BeNullOrEmpty -Because 'no container ran'
    }
}
