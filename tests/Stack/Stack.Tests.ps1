#Requires -Version 7.4
# Tests of the stack harness itself (tests/Stack/CruddurStack.psm1): each part starts, answers, stops and leaves nothing running.

BeforeDiscovery {
    $script:EcsDll = if ($env:CRUDDUR_ECS_SIMULATOR) { $env:CRUDDUR_ECS_SIMULATOR } else { Join-Path $PSScriptRoot '../../out/ecs-simulator/Cruddur.EcsSimulator.dll' }
    $script:HaveEcs = Test-Path $script:EcsDll
    $script:HavePodman = [bool](Get-Command podman -CommandType Application -ErrorAction SilentlyContinue)
    $script:Alone = @(
        @{ Name = 'Moto' }, @{ Name = 'Postgres' }, @{ Name = 'Docker' }, @{ Name = 'Registry' }
        if ($script:HaveEcs) { @{ Name = 'Ecs' } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'CruddurStack.psm1') -Force
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

    function Get-StackLeftover([string]$Root) {
        # pgrep exits 1 when nothing matches; any match with the stack root in its command line is a leak.
        $found = & pgrep -f -- $Root
        $global:LASTEXITCODE = 0
        @($found)
    }

    function Get-LiveProcess([int[]]$Id) {
        # A killed service stays a zombie until init reaps it, which some inits do late: a zombie has stopped and counts as gone.
        foreach ($p in $Id) {
            $state = & ps -o stat= -p $p
            if ($state -and $state.Trim() -notlike 'Z*') { "$p $($state.Trim()) $(& ps -o args= -p $p)" }
        }
        $global:LASTEXITCODE = 0
    }

    function Invoke-MotoJson([string]$MotoUrl, [string]$Service, [string]$Target, [hashtable]$Body) {
        # moto routes by the service in the SigV4 credential scope and does not verify signatures, so a fixed header will do.
        $headers = @{
            'X-Amz-Target'  = $Target
            'Authorization' = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/$Service/aws4_request, SignedHeaders=host, Signature=00"
        }
        Invoke-RestMethod -Method Post -Uri "$MotoUrl/" -Headers $headers -ContentType 'application/x-amz-json-1.1' `
            -Body ($Body | ConvertTo-Json -Compress)
    }

    function Get-HttpStatus([string]$Url, [string]$User, [string]$Password) {
        $params = @{ Uri = $Url; SkipHttpErrorCheck = $true; AllowUnencryptedAuthentication = $true }
        if ($User) {
            $params.Authentication = 'Basic'
            $params.Credential = [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
        }
        [int](Invoke-WebRequest @params).StatusCode
    }
}

Describe 'Start-CruddurStack <Name> alone' -ForEach $Alone {
    It 'starts, answers, stops and leaves no process or directory' {
        $stack = Start-CruddurStack -Component $Name -EcsSimulatorPath $EcsDll
        try {
            $stack.PSObject.TypeNames | Should -Contain 'Cruddur.TestStack'
            $stack.Components | Should -Be @($Name)
            $stack.StartupSeconds[$Name] | Should -BeGreaterThan 0
            $stack.Pids.Keys | Should -Be @($Name)
            Test-Path $stack.Logs[$Name] | Should -BeTrue
            $processId = $stack.Pids[$Name]
            Get-Process -Id $processId | Should -Not -BeNullOrEmpty

            switch ($Name) {
                'Moto' { (Invoke-WebRequest "$($stack.MotoUrl)/moto-api/").StatusCode | Should -Be 200 }
                'Postgres' {
                    $stack.PostgresUrl | Should -Match '^postgresql://postgres:[0-9a-f]+@127\.0\.0\.1:\d+/postgres$'
                    & psql -X -At $stack.PostgresUrl -c 'SELECT 40 + 2' | Should -Be '42'
                }
                'Docker' {
                    $stack.DockerHost | Should -BeLike 'unix://*'
                    $env:DOCKER_HOST = $stack.DockerHost
                    try { & docker version --format '{{.Server.Version}}' | Should -Match '^\d+\.' } finally { $env:DOCKER_HOST = $null }
                }
                'Registry' { Get-HttpStatus "http://$($stack.RegistryHost)/v2/" | Should -Be 401 }
                'Ecs' { (Invoke-WebRequest "$($stack.EcsUrl)/_sim/health").StatusCode | Should -Be 200 }
            }
        } finally {
            Stop-CruddurStack $stack
        }
        Get-Process -Id $processId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-StackLeftover $stack.Root | Should -BeNullOrEmpty
        Test-Path $stack.Root | Should -BeFalse
        if ($stack.PostgresDataDir) { Test-Path $stack.PostgresDataDir | Should -BeFalse }
    }
}

Describe 'Start-CruddurStack failures' {
    It 'names the component and its log, keeps the logs and leaves no process' {
        # A file that is not an assembly makes `dotnet` exit at once: a component that dies during start-up.
        $bogus = Join-Path $TestDrive 'Broken.dll'
        Set-Content $bogus 'not an assembly'
        $root = Join-Path $TestDrive 'failed-stack'
        $err = { Start-CruddurStack -Component Moto, Ecs -EcsSimulatorPath $bogus -Root $root } |
            Should -Throw -ErrorId 'CruddurStackEcsStartFailed' -PassThru
        $err.Exception.Message | Should -Match 'Ecs failed to start: exited with code'
        $err.Exception.Message | Should -Match ([regex]::Escape((Join-Path $root 'logs/Ecs.log')))
        Test-Path (Join-Path $root 'logs/Ecs.log') | Should -BeTrue
        Test-Path (Join-Path $root 'logs/Moto.log') | Should -BeTrue
        Get-StackLeftover $root | Should -BeNullOrEmpty
    }

    It 'names an AWS managed policy moto does not have, in moto''s log' {
        $root = Join-Path $TestDrive 'no-policy'
        { Start-CruddurStack -Component Moto -IamManagedPolicies CloudWatchFullAccess, NoSuchPolicy -Root $root } |
            Should -Throw -ErrorId 'CruddurStackMotoStartFailed' -ExpectedMessage '*exited with code 1*'
        Get-Content (Join-Path $root 'logs/Moto.log') -Raw | Should -Match 'moto has no AWS managed policy named NoSuchPolicy'
        Get-StackLeftover $root | Should -BeNullOrEmpty
    }

    It 'refuses to start the ECS simulator when it is not built' {
        { Start-CruddurStack -Component Ecs -EcsSimulatorPath (Join-Path $TestDrive 'missing.dll') -Root (Join-Path $TestDrive 'no-ecs') } |
            Should -Throw -ErrorId 'CruddurStackEcsStartFailed' -ExpectedMessage '*ECS simulator not found*'
    }

    It 'stops the services when the PowerShell process that started them dies' {
        $root = Join-Path $TestDrive 'orphaned-stack'
        $info = Join-Path $TestDrive 'orphan.json'
        $module = Join-Path $PSScriptRoot 'CruddurStack.psm1'
        $script = "Import-Module '$module'; `$s = Start-CruddurStack -Component Moto, Postgres -Root '$root'; " +
            "@{ Owner = `$PID; Moto = `$s.Pids.Moto; Postgres = `$s.Pids.Postgres; Data = `$s.PostgresDataDir } | " +
            "ConvertTo-Json | Set-Content '$info.tmp'; Move-Item '$info.tmp' '$info'; Start-Sleep 120"  # renamed: never read half-written
        $child = Start-Process dotnet -ArgumentList 'pwsh', '-NoProfile', '-Command', $script -WorkingDirectory $RepoRoot -PassThru `
            -RedirectStandardOutput (Join-Path $TestDrive 'orphan.out') -RedirectStandardError (Join-Path $TestDrive 'orphan.err')
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $info) -and [datetime]::UtcNow -lt $deadline -and -not $child.HasExited) { Start-Sleep -Milliseconds 100 }
            Test-Path $info | Should -BeTrue -Because (Get-Content (Join-Path $TestDrive 'orphan.err') -Raw)
            $pids = Get-Content $info -Raw | ConvertFrom-Json
            Get-Process -Id $pids.Moto | Should -Not -BeNullOrEmpty
            Stop-Process -Id $pids.Owner -Force
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            # The leftover check also covers the watchdog and the child's own dotnet host, which exit a moment later.
            while (((Get-LiveProcess $pids.Moto, $pids.Postgres) -or (Get-StackLeftover $root) -or
                    (Test-Path $pids.Data)) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Get-LiveProcess $pids.Moto, $pids.Postgres | Should -BeNullOrEmpty
            Get-StackLeftover $root | Should -BeNullOrEmpty
            Test-Path $pids.Data | Should -BeFalse
        } finally {
            if (-not $child.HasExited) { Stop-Process -Id $child.Id -Force }
        }
    }
}

Describe 'The whole stack' {
    BeforeAll {
        $components = @('Moto', 'Postgres', 'Docker', 'Registry')
        if (Test-Path $EcsDll) { $components += 'Ecs' }
        $script:Stack = Start-CruddurStack -Component $components -EcsSimulatorPath $EcsDll -Podman:$HavePodman
        Write-Host ("Start-up seconds: " + (($Stack.StartupSeconds.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '))
    }
    AfterAll {
        if ($Stack) {
            $root = $Stack.Root
            Stop-CruddurStack $Stack
            Get-StackLeftover $root | Should -BeNullOrEmpty
            Test-Path $root | Should -BeFalse
        }
    }

    Context 'environment' {
        It 'sets the variables for the stack and restores the previous ones' {
            $env:AWS_PROFILE = 'someone-real'
            $env:AWS_ACCESS_KEY_ID = 'AKIAREAL'
            $env:AWS_ENDPOINT_URL_ECS = $null
            try {
                $previous = Set-CruddurStackEnvironment $Stack
                $env:AWS_ENDPOINT_URL | Should -Be $Stack.MotoUrl
                $env:AWS_ACCESS_KEY_ID | Should -Be 'testing'
                $env:AWS_SECRET_ACCESS_KEY | Should -Be 'testing'
                $env:AWS_REGION | Should -Be 'us-east-1'
                $env:AWS_DEFAULT_REGION | Should -Be 'us-east-1'
                $env:AWS_PROFILE | Should -BeNullOrEmpty
                $env:DOCKER_HOST | Should -Be $Stack.DockerHost
                $env:DOCKER_CONFIG | Should -Be $Stack.DockerConfig
                if ($Stack.EcsUrl) { $env:AWS_ENDPOINT_URL_ECS | Should -Be $Stack.EcsUrl }
                # The real AWS CLI, configured only by the environment, talks to moto.
                (& aws sts get-caller-identity --query Account --output text) | Should -Be '123456789012'
            } finally {
                Restore-CruddurStackEnvironment $previous
            }
            $env:AWS_PROFILE | Should -Be 'someone-real'
            $env:AWS_ACCESS_KEY_ID | Should -Be 'AKIAREAL'
            $env:AWS_ENDPOINT_URL_ECS | Should -BeNullOrEmpty
            $env:AWS_PROFILE = $null; $env:AWS_ACCESS_KEY_ID = $null
        }
    }

    Context 'moto' {
        It 'holds the AWS-managed IAM policies the module uses, and only those, also after a reset' {
            # IAM speaks the query protocol; a plain form request is simplest.
            function Get-PolicyStatus([string] $Name) {
                $r = Invoke-WebRequest -Method Post -Uri "$($Stack.MotoUrl)/" -ContentType 'application/x-www-form-urlencoded' -SkipHttpErrorCheck `
                    -Headers @{ Authorization = 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00' } `
                    -Body "Action=GetPolicy&Version=2010-05-08&PolicyArn=arn:aws:iam::aws:policy/$Name"
                if ($r.StatusCode -eq 200) { $r.Content | Should -Match "<PolicyName>$([regex]::Escape($Name.Split('/')[-1]))</PolicyName>" }
                [int]$r.StatusCode
            }
            foreach ($name in 'service-role/AmazonECSTaskExecutionRolePolicy', 'CloudWatchFullAccess', 'AWSXRayDaemonWriteAccess', 'AmazonECSInfrastructureRolePolicyForLoadBalancers') {
                Get-PolicyStatus $name | Should -Be 200 -Because "$name is attached or read by the module"
            }
            Get-PolicyStatus AdministratorAccess | Should -Be 404 -Because 'moto holds only the policies named'
            Reset-CruddurStack $Stack
            Get-PolicyStatus CloudWatchFullAccess | Should -Be 200
        }

        It 'Reset-CruddurStack empties SSM' {
            $null = Invoke-MotoJson $Stack.MotoUrl ssm 'AmazonSSM.PutParameter' @{ Name = '/cruddur/test/x'; Value = 'y'; Type = 'SecureString' }
            (Invoke-MotoJson $Stack.MotoUrl ssm 'AmazonSSM.GetParametersByPath' @{ Path = '/cruddur'; Recursive = $true }).Parameters.Count |
                Should -Be 1
            Reset-CruddurStack $Stack
            (Invoke-MotoJson $Stack.MotoUrl ssm 'AmazonSSM.GetParametersByPath' @{ Path = '/cruddur'; Recursive = $true }).Parameters.Count |
                Should -Be 0
        }
    }

    Context 'postgres' {
        It 'accepts the generated password and refuses a wrong one' {
            & psql -X -At $Stack.PostgresUrl -c 'SELECT current_user' | Should -Be 'postgres'
            $wrong = $Stack.PostgresUrl -replace ':[0-9a-f]+@', ':wrong@'
            $out = & psql -X -At $wrong -c 'SELECT 1' 2>&1
            $LASTEXITCODE | Should -Not -Be 0
            "$out" | Should -Match 'password authentication failed'
        }

        It 'Reset-CruddurStack drops databases that tests created' {
            & psql -X -q $Stack.PostgresUrl -c 'CREATE DATABASE cruddur_scratch'
            $LASTEXITCODE | Should -Be 0
            Reset-CruddurStack $Stack
            & psql -X -At $Stack.PostgresUrl -c "SELECT count(*) FROM pg_database WHERE datname = 'cruddur_scratch'" | Should -Be '0'
        }
    }

    Context 'registry' {
        It 'refuses wrong credentials and accepts the ones moto hands out for ECR' {
            $url = "http://$($Stack.RegistryHost)/v2/"
            Get-HttpStatus $url | Should -Be 401
            Get-HttpStatus $url 'AWS' 'not-the-token' | Should -Be 401
            Get-HttpStatus $url 'AWS' '123456789012-auth-token' | Should -Be 200
        }
    }

    Context 'image build and push' {
        BeforeAll {
            # No base image can be pulled here: the image is a static busybox on top of scratch.
            $script:Context = Join-Path $TestDrive 'image'
            $null = New-Item -ItemType Directory $Context
            Copy-Item /bin/busybox (Join-Path $Context 'busybox')
            Set-Content (Join-Path $Context 'Dockerfile') "FROM scratch`nCOPY busybox /bin/busybox`nRUN [`"/bin/busybox`", `"true`"]`nCMD [`"/bin/busybox`", `"echo`", `"hello`"]"
            $script:Previous = Set-CruddurStackEnvironment $Stack
        }
        AfterAll { Restore-CruddurStackEnvironment $Previous }

        It 'builds with docker and pushes after docker login --password-stdin' {
            $image = "$($Stack.RegistryHost)/cruddur-stack-test:docker"
            # The 28.x CLI has no buildx; the legacy builder works against dockerd 20.10.
            $env:DOCKER_BUILDKIT = '0'
            try { & docker build -q -t $image $Context 2>&1 | Out-String | Write-Verbose } finally { $env:DOCKER_BUILDKIT = $null }
            $LASTEXITCODE | Should -Be 0
            $Stack.RegistryPassword | & docker login $Stack.RegistryHost -u $Stack.RegistryUser --password-stdin 2>&1 | Out-String | Write-Verbose
            $LASTEXITCODE | Should -Be 0
            & docker push -q $image 2>&1 | Out-String | Write-Verbose
            $LASTEXITCODE | Should -Be 0
            $tags = Invoke-RestMethod "http://$($Stack.RegistryHost)/v2/cruddur-stack-test/tags/list" -AllowUnencryptedAuthentication `
                -Authentication Basic -Credential ([pscredential]::new('AWS', (ConvertTo-SecureString $Stack.RegistryPassword -AsPlainText -Force)))
            $tags.tags | Should -Contain 'docker'
        }

        It 'builds with podman and pushes to the same registry' -Skip:(-not $HavePodman) {
            $image = "$($Stack.RegistryHost)/cruddur-stack-test:podman"
            & podman build -q --format docker -t $image $Context 2>&1 | Out-String | Write-Verbose
            $LASTEXITCODE | Should -Be 0
            $Stack.RegistryPassword | & podman login $Stack.RegistryHost -u $Stack.RegistryUser --password-stdin 2>&1 | Out-String | Write-Verbose
            $LASTEXITCODE | Should -Be 0
            $digestFile = Join-Path $TestDrive 'digest'
            & podman push --digestfile $digestFile $image 2>&1 | Out-String | Write-Verbose
            $LASTEXITCODE | Should -Be 0
            Get-Content $digestFile -Raw | Should -Match '^sha256:[0-9a-f]{64}'
        }
    }

    Context 'ECS simulator' -Skip:(-not $HaveEcs) {
        It 'runs at the requested time scale' {
            (Invoke-RestMethod "$($Stack.EcsUrl)/_sim/time-scale").scale | Should -Be 0.02
        }

        It 'receives the ECS calls of the AWS CLI (AWS_ENDPOINT_URL_ECS) and Reset-CruddurStack empties it' {
            $previous = Set-CruddurStackEnvironment $Stack
            try {
                & aws ecs create-cluster --cluster-name cruddur-stack-test --query cluster.clusterArn --output text |
                    Should -Be 'arn:aws:ecs:us-east-1:123456789012:cluster/cruddur-stack-test'
                (Invoke-RestMethod "$($Stack.EcsUrl)/_sim/calls").CreateCluster | Should -BeGreaterOrEqual 1
                Reset-CruddurStack $Stack
                (& aws ecs list-clusters --output json | ConvertFrom-Json).clusterArns | Should -BeNullOrEmpty
            } finally {
                Restore-CruddurStackEnvironment $previous
            }
        }
    }
}
