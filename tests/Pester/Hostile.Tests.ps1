# A hostile user's inputs, one per defect found (issue "Trust"), and a leak scan across every cmdlet: distinctive secret
# values from Parameter Store, the environment, a database URL, a task definition and build arguments must appear in no
# stream, no $Error rendering, no transcript, no file but the env file, and no child's command line or environment except
# where the design puts them (the engine's environment for build arguments).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto, Postgres, Docker, Registry, Ecs
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:registry = $stack.RegistryHost
    $script:pgPort = $stack.PostgresPort

    function Invoke-Psql([string] $Database, [string] $Sql) {
        $env:PGPASSWORD = $stack.PostgresPassword
        try { $out = & psql -X -q -At -h 127.0.0.1 -p $pgPort -U postgres -d $Database -c $Sql 2>&1 }
        finally { Remove-Item Env:PGPASSWORD }
        if ($LASTEXITCODE) { throw "psql: $out" }
        $out
    }
    function Invoke-Ecs { $out = aws ecs @args --output json; if ($LASTEXITCODE) { throw "aws ecs $args failed" }; $out | ConvertFrom-Json }
    function Invoke-Sim([string] $Path, $Body) {
        Invoke-RestMethod -Method Post "$($stack.EcsUrl)/_sim/$Path" -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress)
    }
    function New-TaskDefinitionFile([string] $Family, [string] $Folder, [hashtable] $Environment = @{}) {
        $env = @($Environment.GetEnumerator() | Sort-Object Name | ForEach-Object { @{ name = $_.Name; value = $_.Value } })
        $definition = [ordered]@{
            family = $Family; networkMode = 'awsvpc'; cpu = '256'; memory = '512'; requiresCompatibilities = @('FARGATE')
            containerDefinitions = @(@{ name = $Family; image = "registry.local/${Family}:seed"; essential = $true; environment = $env })
        }
        $path = Join-Path $Folder "$Family.json"
        $definition | ConvertTo-Json -Depth 8 | Set-Content $path
        $path
    }
    # In the default VPC's first subnet, which the deploy checks for.
    function New-ServiceDefinitionFile([string] $Service, [string] $Folder) {
        $path = Join-Path $Folder "service-$Service.json"
        $network = Initialize-DeployPrerequisites
        @{ cluster = 'cruddur'; launchType = 'FARGATE'; desiredCount = 1; serviceName = $Service; taskDefinition = $Service
            networkConfiguration = @{ awsvpcConfiguration = @{ assignPublicIp = 'ENABLED'; subnets = @($network.Subnet); securityGroups = @($network.SecurityGroup) } } } |
            ConvertTo-Json -Depth 6 | Set-Content $path
        $path
    }
    function New-BuildContext {
        $ctx = New-TestFolder
        Copy-Item /bin/busybox (Join-Path $ctx busybox)
        Set-Content (Join-Path $ctx Dockerfile) "FROM scratch`nARG BUILD_TOKEN`nARG REACT_APP_PUBLIC`nCOPY busybox /bin/busybox`n"
        $ctx
    }
    # A program that records that it ran and what it was given on standard input.
    function New-PlantedProgram([string] $Folder, [string] $Name) {
        $marker = Join-Path $Folder "$Name.ran"
        $path = Join-Path $Folder $Name
        Set-Content $path "#!/bin/sh`ncat > '$marker'`nexit 0`n"
        chmod +x $path
        $marker
    }
    function Get-EcrRepositoryNames { @(aws ecr describe-repositories --query 'repositories[].repositoryName' --output text) -split '\s+' | Where-Object { $_ } }
    $null = Invoke-Ecs create-cluster --cluster-name cruddur

    # Reads /proc/*/cmdline and /proc/*/environ of every other process every few milliseconds while it runs, and keeps
    # which secret it saw where: a child that lives 5 ms is still seen.
    if (-not ('CruddurTest.ProcScanner' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
namespace CruddurTest {
public sealed class ProcScanner {
    private readonly string[] _secrets; private readonly int _self; private volatile bool _stop; private readonly Thread _thread;
    public ConcurrentDictionary<string, byte> Hits { get; } = new();
    public int Scans;
    public ProcScanner(string[] secrets) { _secrets = secrets; _self = Environment.ProcessId; _thread = new Thread(Loop) { IsBackground = true }; _thread.Start(); }
    public void Stop() { _stop = true; _thread.Join(); }
    private void Loop() {
        while (!_stop) {
            foreach (var dir in Directory.GetDirectories("/proc")) {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == _self) continue;
                Check(dir, pid, "cmdline"); Check(dir, pid, "environ");
            }
            Interlocked.Increment(ref Scans);
            Thread.Sleep(2);
        }
    }
    private void Check(string dir, int pid, string what) {
        try {
            var text = File.ReadAllText(Path.Combine(dir, what)).Replace('\0', ' ');
            foreach (var s in _secrets) {
                if (text.Contains(s, StringComparison.Ordinal)) {
                    var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                    Hits.TryAdd($"{s}|{what}|{comm}", 0);
                }
            }
        } catch (Exception) { }
    }
}
}
'@
    }
}

AfterAll {
    Pop-Location -ErrorAction Ignore
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Hostile inputs' {
    BeforeEach {
        $script:work = New-TestFolder
        $script:cwd = [Environment]::CurrentDirectory
    }
    AfterEach {
        [Environment]::CurrentDirectory = $cwd
        Set-Location $cwd
    }

    It '1. a program planted in the current folder is never run: not git, not docker with the registry password' {
        $plantedGit = New-PlantedProgram $work git
        $plantedDocker = New-PlantedProgram $work docker
        Set-Content (Join-Path $work 'x.env.erb') 'A=1'
        Set-Location $work; [Environment]::CurrentDirectory = $work

        New-CruddurEnvFile ./x.env.erb -Confirm:$false | Should -Not -BeNullOrEmpty
        $image = Publish-CruddurImage hostile-planted -Source busybox-hostile:1 -RegistryHost $registry -ErrorAction SilentlyContinue -ErrorVariable publishErrors

        $plantedGit | Should -Not -Exist
        $plantedDocker | Should -Not -Exist
        # The real docker ran: it found no such image (nothing planted answered).
        $publishErrors[0].FullyQualifiedErrorId | Should -Match '^ImageSource'
    }

    It '2. a database password with an unencoded / and ? connects, and no part of it is ever shown' {
        $password = 'Hx7Db/Qz9?Wm4Kp'
        Invoke-Psql postgres "DROP ROLE IF EXISTS hostile; CREATE ROLE hostile LOGIN PASSWORD '$password'" | Out-Null
        $text = Get-AllStreamText {
            Test-CruddurDatabase "postgresql://hostile:$password@127.0.0.1:$pgPort/postgres" -TimeoutSeconds 60 -Verbose
            Test-CruddurDatabase "postgresql://hostile:$password@127.0.0.1:99999/postgres" -Verbose
        }

        $text | Should -Match 'Reachable\s*:\s*True'
        $text | Should -Match 'not a number from 1 to 65535'
        foreach ($part in 'Hx7Db', 'Qz9', 'Wm4Kp') { $text | Should -Not -Match ([regex]::Escape($part)) }
    }

    It '3. the Schema step on a host that is not local needs -Force; -WhatIf never touches it' {
        # 0.0.0.0 reaches this machine's server, but is not one of the names that count as local.
        Invoke-Psql postgres 'DROP DATABASE IF EXISTS hostileprod WITH (FORCE)' | Out-Null
        Invoke-Psql postgres 'CREATE DATABASE hostileprod' | Out-Null
        Invoke-Psql hostileprod 'CREATE TABLE public.users (id int); INSERT INTO public.users VALUES (1), (2)' | Out-Null
        $schema = Join-Path $work 'schema.sql'
        Set-Content $schema 'DROP TABLE IF EXISTS public.users; CREATE TABLE public.users (id int);'
        $prod = "postgresql://postgres:$($stack.PostgresPassword)@0.0.0.0:$pgPort/hostileprod"

        { Invoke-CruddurDbSetup $prod -Step Schema -SchemaPath $schema -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DbRemoteHostNeedsForce,Cruddur.PowerShell.Commands.InvokeCruddurDbSetupCommand'
        { Invoke-CruddurDbSetup $prod -Step Seed -SeedPath $schema -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DbRemoteHostNeedsForce,Cruddur.PowerShell.Commands.InvokeCruddurDbSetupCommand'
        Invoke-CruddurDbSetup $prod -Step Schema -SchemaPath $schema -Force -WhatIf | Should -BeNullOrEmpty
        Invoke-Psql hostileprod 'SELECT count(*) FROM public.users' | Should -Be '2'
    }

    It '3b. KillConnections never touches a system database' {
        { Invoke-CruddurDbSetup "postgresql://postgres:$($stack.PostgresPassword)@127.0.0.1:$pgPort/postgres" -Step KillConnections -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DbDatabaseProtected,Cruddur.PowerShell.Commands.InvokeCruddurDbSetupCommand'
    }

    It '4. the -WhatIf/-Verbose diff names changed environment variables and never shows their values' {
        $svc = 'hostile-diff'
        $null = Deploy-CruddurService $svc -TaskDefinitionFile (New-TaskDefinitionFile $svc $work @{ API_SECRET = 'OldDiffS3cret'; MODE = 'prod' }) -ServiceDefinitionFile (New-ServiceDefinitionFile $svc $work) -ErrorAction Stop
        $file = New-TaskDefinitionFile $svc $work @{ API_SECRET = 'NewDiffS3cret'; MODE = 'prod' }

        # The confirmation text: in the verbose stream when it runs, on the host (the transcript) under -WhatIf.
        $transcript = Join-Path $work 'whatif.txt'
        Start-Transcript $transcript | Out-Null
        try { Deploy-CruddurService $svc -TaskDefinitionFile $file -WhatIf } finally { Stop-Transcript | Out-Null }
        $text = (Get-Content $transcript -Raw) + (Get-AllStreamText { Deploy-CruddurService $svc -TaskDefinitionFile $file -Verbose -Confirm:$false })
        (Get-Content $transcript -Raw) | Should -Match 'environment\[API_SECRET\]: changed'

        $text | Should -Match 'environment\[API_SECRET\]: changed'
        $text | Should -Match 'environment unchanged: MODE'
        $text | Should -Not -Match 'OldDiffS3cret|NewDiffS3cret'
    }

    It '5. when the second service''s update fails, the first one is still watched and returned, the second named' {
        $tdFolder = New-TestFolder; $svcFolder = New-TestFolder
        $null = Deploy-CruddurService hostile-old -TaskDefinitionFile (New-TaskDefinitionFile hostile-old $tdFolder) -ServiceDefinitionFile (New-ServiceDefinitionFile hostile-old $svcFolder) -ErrorAction Stop
        $null = New-TaskDefinitionFile hostile-new $tdFolder; $null = New-ServiceDefinitionFile hostile-new $svcFolder
        $null = Invoke-Sim faults @{ operation = 'UpdateService'; kind = 'AccessDenied'; count = 1 }

        $deployed = Deploy-CruddurService hostile-new, hostile-old -TaskDefinitionFile $tdFolder -ServiceDefinitionFile $svcFolder -ErrorAction SilentlyContinue -ErrorVariable failures

        $deployed.Service | Should -Be 'hostile-new'
        $deployed.Outcome | Should -Be 'Succeeded'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AwsAccessDenied,*'
        $failures[0].Exception.Message | Should -Match 'AccessDeniedException'
        $failures[0].Exception.Message | Should -Match 'Left unchanged: cruddur/hostile-old'
    }

    It '6. Test-CruddurHealth keeps no user:password of -Url in its result or verbose lines' {
        $text = Get-AllStreamText { Test-CruddurHealth "http://admin:HealthS3cret@127.0.0.1:9" -RetryCount 0 -TimeoutSeconds 1 -Verbose }
        $result = Test-CruddurHealth "http://admin:HealthS3cret@127.0.0.1:9" -RetryCount 0 -TimeoutSeconds 1

        $result.Url | Should -Not -Match 'HealthS3cret|admin'
        $text | Should -Not -Match 'HealthS3cret'
    }

    It '7. a value with a line break cannot inject a key into the env file' {
        Set-Content (Join-Path $work 'x.env.erb') "A=<%= ENV['A'] %>`nB=2"
        { New-CruddurEnvFile (Join-Path $work 'x.env.erb') -Destination $work -Variable @{ A = "1`nINJECTED=yes" } -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'EnvFileValueMultiline,Cruddur.PowerShell.Commands.NewCruddurEnvFileCommand'
        Join-Path $work 'x.env' | Should -Not -Exist
    }

    It '8. raw failures get stable ids and real categories, and one bad pipeline item does not stop the next' {
        Set-Content (Join-Path $work 'x.env.erb') 'A=1'
        $e = { New-CruddurEnvFile (Join-Path $work 'x.env.erb') -Destination /proc/x.env -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'EnvFileDestinationNotWritable,*'
        $e.CategoryInfo.Category | Should -Not -Be 'NotSpecified'

        Set-Content (Join-Path $work 'nul.env') "CONNECTION_URL=postgresql://postgres:p@127.0.0.1:$pgPort/crud%00dur"
        Set-Content (Join-Path $work 'good.env') "CONNECTION_URL=postgresql://postgres:$($stack.PostgresPassword)@127.0.0.1:$pgPort/postgres"
        $results = (Join-Path $work 'nul.env'), (Join-Path $work 'good.env') | Test-CruddurDatabase -ErrorAction SilentlyContinue -ErrorVariable failures

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DbConnectionUrlInvalid,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        @($results).Count | Should -Be 1
        $results.Reachable | Should -BeTrue
    }

    It '9. -Timeout <Timeout> is refused at binding' -ForEach @(@{ Timeout = 0 }, @{ Timeout = -5 }, @{ Timeout = '-00:00:01' }) {
        { Deploy-CruddurService hostile-timeout -Timeout $Timeout -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.DeployCruddurServiceCommand'
        { Undo-CruddurDeployment hostile-timeout -Timeout $Timeout -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.UndoCruddurDeploymentCommand'
    }

    It '10. -Source ''--help'' is refused before the engine or ECR sees it, and no repository is created' {
        { Publish-CruddurImage hostile-source -Source '--help' -RegistryHost $registry -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ImageSourceInvalid,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
        Get-EcrRepositoryNames | Should -Not -Contain 'hostile-source'
    }

    It '11. a secret-looking build argument is warned about by name; REACT_APP_* is not' {
        $ctx = New-BuildContext
        $image = Publish-CruddurImage hostile-buildarg -Path $ctx -RegistryHost $registry -Tag t1 -BuildArgument @{ BUILD_TOKEN = 'WarnS3cret'; REACT_APP_PUBLIC = 'https://api' } -WarningVariable warnings -Confirm:$false

        $image.Digest | Should -Match '^sha256:'
        ($warnings -join "`n") | Should -Match 'BUILD_TOKEN'
        ($warnings -join "`n") | Should -Not -Match 'REACT_APP_PUBLIC|WarnS3cret'
    }

    It '12. a build argument name that is not an identifier is refused' {
        { Publish-CruddurImage hostile-argname -Path (New-BuildContext) -RegistryHost $registry -BuildArgument @{ 'API_TOKEN=B' = 'x' } -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ImageBuildArgumentInvalid,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
        Get-EcrRepositoryNames | Should -Not -Contain 'hostile-argname'
    }

    It '13. a missing placeholder in a definition file is a Deploy error that names what Deploy offers' {
        $file = Join-Path $work 'td.json'
        Set-Content $file '{ "family": "x", "containerDefinitions": [ { "name": "x", "image": "<%= ENV[''HOSTILE_NOT_SET''] %>" } ] }'
        $e = { Deploy-CruddurService hostile-placeholder -TaskDefinitionFile $file -ServiceDefinitionFile (New-ServiceDefinitionFile hostile-placeholder $work) -ErrorAction Stop } | Should -Throw -PassThru

        $e.FullyQualifiedErrorId | Should -BeLike 'DeployDefinitionVariableMissing,*'
        $e.Exception.Message | Should -Match 'HOSTILE_NOT_SET'
        $e.Exception.Message | Should -Not -Match '-Variable|-AllowMissing'
    }
}

Describe 'Leak scan' {
    It 'no secret leaves through any stream, error, transcript, file or child process' {
        $secrets = [ordered]@{
            Ssm = 'SsmLeakS3cret7f3a'; Env = 'EnvLeakS3cret91bc'; Db = 'DbLeak/Qz9Dbmid?ret4d2e'; Task = 'TaskLeakS3cret5e6f'; Build = 'BuildLeakS3cret0a1b'; Health = 'HealthLeakS3cret22'; AwsKey = 'AwsKeyLeakS3cret3c4d'
        }
        # What to look for: each secret, and for the URL password each piece between its / and ? (pieces no other secret holds).
        $needles = @($secrets.Values) + @('DbLeak', 'Qz9Dbmid', 'ret4d2e') | Select-Object -Unique
        $work = New-TestFolder
        $started = Get-Date
        Invoke-Psql postgres "DROP ROLE IF EXISTS leaky; CREATE ROLE leaky LOGIN CREATEDB PASSWORD '$($secrets.Db)'" | Out-Null
        aws ssm put-parameter --name /cruddur/leak/SSM_TOKEN --type SecureString --value $secrets.Ssm --overwrite | Out-Null
        $env:ENV_TOKEN = $secrets.Env
        $dbUrl = "postgresql://leaky:$($secrets.Db)@127.0.0.1:$pgPort/leakdb"
        Set-Content (Join-Path $work 'leak.env.erb') "SSM_TOKEN=<%= ENV['SSM_TOKEN'] %>`nENV_TOKEN=<%= ENV['ENV_TOKEN'] %>`nCONNECTION_URL=<%= ENV['CONNECTION_URL'] %>`nBUILD_TOKEN=<%= ENV['BUILD_TOKEN'] %>`n"
        Copy-Item (Join-Path $RepoRoot 'demo/cruddur/backend-flask') $work -Recurse
        $tdFolder = New-TestFolder; $svcFolder = New-TestFolder
        $null = New-TaskDefinitionFile leak-svc $tdFolder @{ TASK_TOKEN = $secrets.Task }
        $null = New-ServiceDefinitionFile leak-svc $svcFolder
        $ctx = New-BuildContext
        $transcript = Join-Path $work 'transcript.txt'

        $scanner = [CruddurTest.ProcScanner]::new([string[]]$needles)
        $Error.Clear()
        Start-Transcript -Path $transcript | Out-Null
        try {
            # Run as a user would, every stream on: the host (so the transcript) shows it all, and it is kept for the checks.
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; $ErrorActionPreference = 'Continue'
            # -Debug would turn warnings into questions, which a non-interactive run cannot answer. The suite's defaults
            # (Deploy's scaled stability window) stay.
            $PSDefaultParameterValues = $PSDefaultParameterValues.Clone()
            $PSDefaultParameterValues['*-Cruddur*:WarningAction'] = 'Continue'
            & {
                $envFile = New-CruddurEnvFile (Join-Path $work 'leak.env.erb') -Destination $work -ParameterPath /cruddur/leak/ -Variable @{ CONNECTION_URL = $dbUrl; BUILD_TOKEN = $secrets.Build } -Verbose -Debug -Confirm:$false
                $envFile
                $envFile | Set-CruddurParameter -Name ENV_TOKEN, SSM_TOKEN -Path /cruddur/leak-copy/ -Verbose -Debug -Confirm:$false
                $envFile | Invoke-CruddurDbSetup -Step Drop, Create, Schema, Seed -SchemaPath (Join-Path $work 'backend-flask/db/schema.sql') -SeedPath (Join-Path $work 'backend-flask/db/seed.sql') -Verbose -Debug -Confirm:$false
                $envFile | Test-CruddurDatabase -TimeoutSeconds 60 -Verbose -Debug
                Test-CruddurDatabase ($dbUrl -replace "$pgPort", '99999') -Verbose -Debug
                Test-CruddurDatabase ($dbUrl -replace 'leaky:', 'nobody:') -Verbose -Debug
                $envFile | Publish-CruddurImage leak-image -Path $ctx -RegistryHost $registry -Tag t1 -Verbose -Debug -Confirm:$false
                Deploy-CruddurService leak-svc -TaskDefinitionFile $tdFolder -ServiceDefinitionFile $svcFolder -Verbose -Debug -Confirm:$false
                $null = New-TaskDefinitionFile leak-svc $tdFolder @{ TASK_TOKEN = $secrets.Task + 'v2' }
                Deploy-CruddurService leak-svc -TaskDefinitionFile $tdFolder -Verbose -Debug -WhatIf
                Deploy-CruddurService leak-svc -TaskDefinitionFile $tdFolder -Verbose -Debug -Confirm:$false
                Get-CruddurService leak-svc -Verbose -Debug
                # Explicit keys, as AWS.Tools users pass them (moto takes any).
                Get-CruddurService leak-svc -AccessKey 'leak-test-access-key' -SecretKey $secrets.AwsKey -Verbose -Debug
                Undo-CruddurDeployment leak-svc -Verbose -Debug -Confirm:$false
                Connect-CruddurTask -Service leak-svc -Check -Verbose -Debug
                Test-CruddurHealth "http://admin:$($secrets.Health)@127.0.0.1:9" -RetryCount 0 -TimeoutSeconds 1 -Verbose -Debug
            } *>&1 | Tee-Object -Variable shown | Out-Host
            $text = (@($shown | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.ToString(); $_.Exception.ToString() }
                else { $_ | Format-List * -Force | Out-String; $_ | Out-String }
            }) -join "`n")
        }
        finally {
            Stop-Transcript | Out-Null
            $scanner.Stop()
            Remove-Item Env:ENV_TOKEN
        }
        $errorText = ($Error | Format-List * -Force | Out-String) + (($Error | ForEach-Object { $_.Exception.ToString() }) -join "`n")
        $envFilePath = Join-Path $work 'leak.env'

        # The work did happen (a scan of nothing proves nothing).
        $text | Should -Match 'Reachable\s*:\s*True'
        $text | Should -Match 'sha256:'
        (Get-Content $transcript -Raw) | Should -Match 'environment\[TASK_TOKEN\]: changed'
        $scanner.Scans | Should -BeGreaterThan 10
        (Get-Content $envFilePath -Raw) | Should -Match ([regex]::Escape($secrets.Ssm))
        ([IO.File]::GetUnixFileMode($envFilePath) -band 511) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')

        foreach ($needle in $needles) {
            $text | Should -Not -Match ([regex]::Escape($needle)) -Because "streams must not show '$needle'"
            $errorText | Should -Not -Match ([regex]::Escape($needle)) -Because "`$Error must not show '$needle'"
            (Get-Content $transcript -Raw) | Should -Not -Match ([regex]::Escape($needle)) -Because "the transcript must not show '$needle'"
        }

        # Files: only the env file holds secrets (the template, scripts and definitions are inputs; the stack is excluded).
        $files = @(Get-ChildItem $work, $TestDrive -Recurse -File -ErrorAction Ignore) + @(Get-ChildItem ([IO.Path]::GetTempPath()) -File -ErrorAction Ignore | Where-Object LastWriteTime -ge $started)
        # Regular files only: opening a FIFO (every .NET process leaves its debugger pipes in the temp folder) waits for a writer.
        $leakingFiles = $files | Where-Object { $_.UnixMode -like '-*' -and $_.FullName -ne $envFilePath -and $_.Length -lt 10MB -and $_.FullName -notlike "$tdFolder*" } |
            Where-Object { $content = Get-Content $_.FullName -Raw -ErrorAction Ignore; $content -and ($needles | Where-Object { $content.Contains($_) }) }
        $leakingFiles.FullName | Should -BeNullOrEmpty

        # Children: no secret on any command line. In an environment only the build argument, in the engine's (docker CLI)
        # process, and the user's own environment variable, which every child inherits from this process.
        $childHits = @($scanner.Hits.Keys | Where-Object { $_ -ne "$($secrets.Build)|environ|docker" -and $_ -notlike "$($secrets.Env)|environ|*" })
        $childHits | Should -BeNullOrEmpty
    }
}
