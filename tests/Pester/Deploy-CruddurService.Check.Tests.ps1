# Deploy-CruddurService -Check and the checks every deploy runs first, against moto (IAM, SSM, Secrets Manager, ECR, Logs, EC2,
# ELBv2), the stack's docker-registry (basic auth) and the ECS simulator: the seed's own backend-flask task definition and
# service file, as they are, pass; each prerequisite removed once fails with its fix; an image in a registry other than ECR is
# resolved there; and a deploy that fails them stops before registering anything.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Registry, Ecs
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
    # The seed's public.ecr.aws image (xray) is asked of its registry: it passes where this machine reaches public.ecr.aws, and
    # only warns where it does not (the tasks' network may still reach it).
    $script:publicEcrReachable = try { [bool][System.Net.Dns]::GetHostAddresses('public.ecr.aws') } catch { $false }
    function Test-XrayRow($row) {
        if ($publicEcrReachable) { $row.Status -eq 'Pass' -and $row.Detail -like '*public.ecr.aws/xray/aws-xray-daemon@sha256:*' }
        else { $row.Status -eq 'Warn' -and $row.Detail -like 'Container xray: public.ecr.aws could not be reached from this machine (*the tasks'' network may still reach it.' }
    }
    function Get-XrayRow($checks) { @($checks | Where-Object { $_.Check -eq 'Image' -and $_.Detail -like 'Container xray:*' }) }
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
        $xray = Get-XrayRow $checks
        $xray | Should -HaveCount 1
        Test-XrayRow $xray[0] | Should -BeTrue -Because "the xray image row is $($xray[0].Status): $($xray[0].Detail)"
        @($checks | Where-Object Status -NE 'Pass' | Where-Object Status -NE 'Info' | Where-Object { $_ -ne $xray[0] }) | Should -BeNullOrEmpty
        $checks.Service | Sort-Object -Unique | Should -Be 'backend-flask'
        foreach ($name in 'Image', 'ExecutionRole', 'ExecutionRolePermissions', 'TaskRole', 'Secret', 'LogGroup', 'Network', 'TargetGroup') {
            @($checks | Where-Object Check -EQ $name | Where-Object Status -EQ 'Pass') | Should -Not -BeNullOrEmpty -Because "$name passes"
        }
        @($checks | Where-Object Check -EQ 'Secret').Count | Should -Be 5
        ($checks | Where-Object { $_.Check -eq 'Image' -and $_.Status -eq 'Pass' }).Detail | Should -Match ([regex]::Escape($prerequisites.ImageDigest))
        Get-Registered | Should -BeNullOrEmpty
        (Invoke-Aws ecs list-services --cluster cruddur).serviceArns | Should -BeNullOrEmpty
    }

    It 'passes both seed services, checked together, and says how long the checks took' {
        $checks = Deploy-CruddurService backend-flask, frontend-react-js -TaskDefinitionFile (Join-Path $seed 'task-definitions') -ServiceDefinitionFile (Join-Path $seed 'ecs') -Check -Verbose -ErrorAction Stop 4>&1
        $verbose = @($checks | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Checked what the new tasks need*' })
        $rows = @($checks | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })

        $rows.Service | Sort-Object -Unique | Should -Be 'backend-flask', 'frontend-react-js'
        $xray = Get-XrayRow $rows
        $rows | Where-Object Status -In 'Fail', 'Warn' | Where-Object { $_ -notin $xray } | ForEach-Object { "$($_.Service) $($_.Check): $($_.Detail)" } | Should -BeNullOrEmpty
        $xray | ForEach-Object { Test-XrayRow $_ | Should -BeTrue }
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
        $xray = Get-XrayRow $checks
        $warning = @($checks | Where-Object Status -EQ 'Warn' | Where-Object { $_ -notin $xray })
        $warning[0].Check | Should -Be 'Network'
        $warning[0].Detail | Should -BeLike '*assignPublicIp is DISABLED*images will not pull*'
    }
}

Describe 'Deploy-CruddurService -Check of an image outside ECR' {
    BeforeAll {
        $script:registry = $stack.RegistryHost
        $script:registryAuth = @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($stack.RegistryUser):$($stack.RegistryPassword)")) }
        # Pushes through the registry API: a config blob, an image manifest for linux/amd64, and an OCI index naming its platform under the tag.
        function Push-RegistryImage([string] $Repository, [string] $Tag) {
            function Put-Blob([byte[]] $bytes) {
                $digest = 'sha256:' + [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant()
                $upload = Invoke-WebRequest -Method Post "http://$registry/v2/$Repository/blobs/uploads/" -Headers $registryAuth
                $location = "$($upload.Headers['Location'])"
                if ($location -notmatch '^https?://') { $location = "http://$registry$location" }
                Invoke-WebRequest -Method Put "$location$(if ($location.Contains('?')) { '&' } else { '?' })digest=$digest" -Headers $registryAuth -ContentType 'application/octet-stream' -Body $bytes | Out-Null
                [pscustomobject]@{ Digest = $digest; Size = $bytes.Length }
            }
            function Put-Manifest([string] $reference, [string] $type, [string] $json) {
                $r = Invoke-WebRequest -Method Put "http://$registry/v2/$Repository/manifests/$reference" -Headers $registryAuth -ContentType $type -Body ([Text.Encoding]::UTF8.GetBytes($json))
                "$($r.Headers['Docker-Content-Digest'])"
            }
            $config = Put-Blob ([Text.Encoding]::UTF8.GetBytes('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}'))
            $gzip = [IO.MemoryStream]::new()
            $zip = [IO.Compression.GZipStream]::new($gzip, [IO.Compression.CompressionLevel]::Optimal); $zip.Write([byte[]]::new(1024), 0, 1024); $zip.Dispose()
            $layer = Put-Blob $gzip.ToArray()   # an empty tar archive
            $image = [ordered]@{ schemaVersion = 2; mediaType = 'application/vnd.oci.image.manifest.v1+json'
                config = [ordered]@{ mediaType = 'application/vnd.oci.image.config.v1+json'; digest = $config.Digest; size = $config.Size }
                layers = @([ordered]@{ mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip'; digest = $layer.Digest; size = $layer.Size }) } | ConvertTo-Json -Depth 5 -Compress
            $imageDigest = 'sha256:' + [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($image))).ToLowerInvariant()
            Put-Manifest $imageDigest 'application/vnd.oci.image.manifest.v1+json' $image | Out-Null
            $index = [ordered]@{ schemaVersion = 2; mediaType = 'application/vnd.oci.image.index.v1+json'
                manifests = @([ordered]@{ mediaType = 'application/vnd.oci.image.manifest.v1+json'; digest = $imageDigest; size = [Text.Encoding]::UTF8.GetByteCount($image); platform = [ordered]@{ architecture = 'amd64'; os = 'linux' } }) } | ConvertTo-Json -Depth 5 -Compress
            Put-Manifest $Tag 'application/vnd.oci.image.index.v1+json' $index
        }
        $script:pushed = Push-RegistryImage cruddur/backend-flask v1
        # The seed's backend-flask task definition with its image (and repositoryCredentials) replaced.
        function New-RegistryTaskDefinition([string] $Image, [string] $Credentials) {
            $credentialsJson = if ($Credentials) { " `"repositoryCredentials`": {`"credentialsParameter`": `"$Credentials`"}," } else { '' }
            $file = Join-Path (New-TestFolder) 'backend-flask.json'
            (Get-Content $taskDefinition -Raw).Replace(
                '"image": "<%= ENV[''AWS_ACCOUNT_ID''] %>.dkr.ecr.<%= ENV[''AWS_DEFAULT_REGION''] %>.amazonaws.com/backend-flask",',
                "`"image`": `"$Image`",$credentialsJson") | Set-Content $file
            $file
        }
        function Invoke-RegistryCheck([string] $Image, [string] $Credentials) {
            Deploy-CruddurService backend-flask -TaskDefinitionFile (New-RegistryTaskDefinition $Image $Credentials) -ServiceDefinitionFile $serviceDefinition -Check -ErrorAction Stop
        }
        function Get-BackendImageRow($checks) { @($checks | Where-Object { $_.Check -eq 'Image' -and $_.Detail -like 'Container backend-flask:*' }) }
        function New-CredentialsSecret([string] $Password) {
            $value = @{ username = $stack.RegistryUser; password = $Password } | ConvertTo-Json -Compress
            (Invoke-Aws secretsmanager create-secret --name "cruddur/registry-$([guid]::NewGuid().ToString('N').Substring(0, 8))" --secret-string $value).ARN
        }
    }

    BeforeEach {
        Reset-SeedAccount
        $script:credentials = New-CredentialsSecret $stack.RegistryPassword
        $allow = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = 'secretsmanager:GetSecretValue'; Resource = 'arn:aws:secretsmanager:*:*:secret:cruddur/registry-*' }) } | ConvertTo-Json -Depth 4 -Compress
        Invoke-Aws iam put-role-policy --role-name CruddurServiceExecutionRole --policy-name RegistryCredentials --policy-document $allow | Out-Null
    }

    It 'passes an image pushed to a private registry, with repositoryCredentials in Secrets Manager, and names its digest and platform' {
        $checks = Invoke-RegistryCheck "$registry/cruddur/backend-flask:v1" $credentials

        $row = Get-BackendImageRow $checks
        $row.Status | Should -Be 'Pass'
        $row.Detail | Should -Be "Container backend-flask: $registry/cruddur/backend-flask:v1 resolves to $registry/cruddur/backend-flask@$pushed (amd64), with the credentials in $credentials."
        @($checks | Where-Object Status -EQ 'Fail') | Should -BeNullOrEmpty
        ($checks | Where-Object Check -EQ 'ExecutionRolePermissions').Status | Should -Be 'Pass'
        Get-Registered | Should -BeNullOrEmpty
    }

    It 'fails a tag the registry does not have: the task would not pull' {
        $row = Get-BackendImageRow (Invoke-RegistryCheck "$registry/cruddur/backend-flask:v9" $credentials)

        $row.Status | Should -Be 'Fail'
        $row.Detail | Should -Be "Container backend-flask: v9 is not in $registry/cruddur/backend-flask (HTTP 404 MANIFEST_UNKNOWN), so the task would stop with CannotPullContainerError."
        $row.Fix | Should -BeLike "Push the image (docker push $registry/cruddur/backend-flask:v9)*"
    }

    It 'fails without repositoryCredentials, saying to add them' {
        $row = Get-BackendImageRow (Invoke-RegistryCheck "$registry/cruddur/backend-flask:v1")

        $row.Status | Should -Be 'Fail'
        $row.Detail | Should -BeLike "Container backend-flask: $registry will not serve cruddur/backend-flask without credentials (HTTP 401*), and the container has no repositoryCredentials, so the task would stop with CannotPullContainerError."
        $row.Fix | Should -BeLike '*"repositoryCredentials": {"credentialsParameter": "<the secret''s ARN>"}*secretsmanager:GetSecretValue*'
    }

    It 'fails credentials the registry refuses, and no password appears in any row, error or verbose line' {
        $wrong = New-CredentialsSecret 'Wr0ng-Pa55word-42'

        $checks = Deploy-CruddurService backend-flask -TaskDefinitionFile (New-RegistryTaskDefinition "$registry/cruddur/backend-flask:v1" $wrong) -ServiceDefinitionFile $serviceDefinition -Check -Verbose -ErrorAction Stop 4>&1
        { Deploy-CruddurService backend-flask -TaskDefinitionFile (New-RegistryTaskDefinition "$registry/cruddur/backend-flask:v1" $wrong) -ServiceDefinitionFile $serviceDefinition -Verbose -ErrorAction Stop 4>&1 } |
            Should -Throw -ErrorId "DeployPreflightFailed$errorSuffix"
        $thrown = $Error[0]

        $row = Get-BackendImageRow ($checks | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $row.Status | Should -Be 'Fail'
        $row.Detail | Should -BeLike "Container backend-flask: $registry refused the credentials in $wrong for cruddur/backend-flask (HTTP 401*"
        $row.Fix | Should -BeLike "*put-secret-value --secret-id $wrong*"
        $thrown.Exception.Message | Should -BeLike "*backend-flask Image: *refused the credentials in $wrong*"
        $told = ($checks | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $_.Message } else { "$($_.Detail) $($_.Fix)" } }) + $thrown.Exception.Message + "$thrown" -join "`n"
        $told | Should -Not -Match 'Wr0ng-Pa55word-42'
        $told | Should -Not -Match ([regex]::Escape($stack.RegistryPassword))
        Get-Registered | Should -BeNullOrEmpty
    }

    It 'warns, without failing, when the registry cannot be reached from this machine (a closed port)' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $closed = "127.0.0.1:$($listener.LocalEndpoint.Port)"; $listener.Stop()

        $checks = Invoke-RegistryCheck "$closed/cruddur/backend-flask:v1" $credentials
        $row = Get-BackendImageRow $checks

        $row.Status | Should -Be 'Warn'
        $row.Detail | Should -BeLike "Container backend-flask: $closed could not be reached from this machine (*), so $closed/cruddur/backend-flask:v1 is not confirmed; the tasks' network may still reach it."
        @($checks | Where-Object Status -EQ 'Fail') | Should -BeNullOrEmpty
    }

    It 'fails ExecutionRolePermissions when the execution role may not read the credentials secret, and Image when the secret is gone' {
        Invoke-Aws iam delete-role-policy --role-name CruddurServiceExecutionRole --policy-name RegistryCredentials | Out-Null

        $failed = @(Invoke-RegistryCheck "$registry/cruddur/backend-flask:v1" $credentials | Where-Object Status -EQ 'Fail')
        $failed.Check | Should -Be 'ExecutionRolePermissions'
        $failed[0].Detail | Should -BeLike "*may not: secretsmanager:GetSecretValue on $credentials (backend-flask's registry credentials)*"

        Invoke-Aws secretsmanager delete-secret --secret-id $credentials --force-delete-without-recovery | Out-Null
        $row = Get-BackendImageRow (Invoke-RegistryCheck "$registry/cruddur/backend-flask:v1" $credentials)
        $row.Status | Should -Be 'Fail'
        $row.Detail | Should -BeLike "Container backend-flask: the repositoryCredentials secret $credentials does not exist*"
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
