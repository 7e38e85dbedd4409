# Shared by Get-CruddurLog and Invoke-CruddurTask tests: a service whose container logs to CloudWatch Logs (moto) through the
# simulator, as the seed's task definitions do (awslogs, group cruddur, stream prefix = service name). Dot-source common.ps1 first.

# A task definition file: the app container named like the service (awslogs unless -NoLogs), a sidecar without logs.
function New-LoggedTaskDefinition([string] $Service, [string] $Folder, [string] $Scenario = 'healthy', [switch] $NoLogs) {
    $app = [ordered]@{
        name = $Service; image = "registry.local/${Service}:1"; essential = $true; memory = 256
        portMappings = @(@{ containerPort = 4567 })
        environment = @(@{ name = 'CRUDDUR_SIM_SCENARIO'; value = $Scenario }, @{ name = 'FROM_DEFINITION'; value = 'td' })
    }
    if (-not $NoLogs) {
        $app.logConfiguration = @{ logDriver = 'awslogs'; options = @{ 'awslogs-group' = 'cruddur'; 'awslogs-region' = 'us-east-1'; 'awslogs-stream-prefix' = $Service } }
    }
    $definition = [ordered]@{
        family = $Service; networkMode = 'awsvpc'; cpu = '256'; memory = '512'; requiresCompatibilities = @('FARGATE')
        executionRoleArn = 'arn:aws:iam::123456789012:role/CruddurServiceExecutionRole'
        containerDefinitions = @([ordered]@{ name = 'xray'; image = 'public.ecr.aws/xray/aws-xray-daemon'; essential = $true; memory = 32 }, $app)
    }
    $path = Join-Path $Folder "$Service-$([guid]::NewGuid().ToString('N').Substring(0, 6)).json"
    $definition | ConvertTo-Json -Depth 10 | Set-Content $path
    $path
}

# A running service (1 task) created from files through Deploy-CruddurService, in the default VPC's first subnet
# ($script:loggedNetwork.Subnet), with the execution role the deploy checks for.
function New-LoggedService([string] $Service, [string] $Folder, [int] $DesiredCount = 1, [switch] $NoLogs, [switch] $CircuitBreaker) {
    $script:loggedNetwork = Initialize-DeployPrerequisites
    $serviceFile = Join-Path $Folder "service-$Service.json"
    $definition = [ordered]@{
        cluster = 'cruddur'; serviceName = $Service; taskDefinition = $Service; desiredCount = $DesiredCount; launchType = 'FARGATE'
        enableExecuteCommand = $true
        networkConfiguration = @{ awsvpcConfiguration = @{ subnets = @($loggedNetwork.Subnet); securityGroups = @($loggedNetwork.SecurityGroup); assignPublicIp = 'ENABLED' } }
    }
    if ($CircuitBreaker) { $definition.deploymentConfiguration = @{ deploymentCircuitBreaker = @{ enable = $true; rollback = $true } } }
    $definition | ConvertTo-Json -Depth 6 | Set-Content $serviceFile
    Deploy-CruddurService $Service -TaskDefinitionFile (New-LoggedTaskDefinition $Service $Folder -NoLogs:$NoLogs) -ServiceDefinitionFile $serviceFile -ErrorAction Stop
}

# The ids of a service's tasks with the given desired status.
function Get-TaskIds([string] $Service, [string] $Status = 'RUNNING') {
    @((Invoke-Aws ecs list-tasks --cluster cruddur --service-name $Service --desired-status $Status).taskArns | ForEach-Object { ($_ -split '/')[-1] })
}

# PutLogEvents in batches of up to 10,000 (CloudWatch's limit), straight into moto.
function Add-LogLines([string] $Stream, [object[]] $Events, [string] $Group = 'cruddur') {
    $file = Join-Path ([IO.Path]::GetTempPath()) "cruddur-events-$([guid]::NewGuid().ToString('N')).json"
    try {
        for ($i = 0; $i -lt $Events.Count; $i += 10000) {
            # PutLogEvents takes whole milliseconds: the CLI refuses 1.7E12 written as a float.
            $batch = $Events[$i..([Math]::Min($i + 9999, $Events.Count - 1))] | ForEach-Object { @{ timestamp = [long]$_.timestamp; message = $_.message } }
            @{ logGroupName = $Group; logStreamName = $Stream; logEvents = @($batch) } | ConvertTo-Json -Depth 4 -Compress | Set-Content $file
            Invoke-Aws logs put-log-events --cli-input-json "file://$file" | Out-Null
        }
    } finally { Remove-Item $file -ErrorAction Ignore }
}

function Get-EpochMs([DateTimeOffset] $Time = [DateTimeOffset]::UtcNow) { $Time.ToUnixTimeMilliseconds() }
