BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Postgres, Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:password = $stack.PostgresPassword
    $script:url = "postgresql://postgres:$password@127.0.0.1:$($stack.PostgresPort)/cruddur"
    $script:id = ',Cruddur.PowerShell.Commands.InvokeCruddurDbSetupCommand'

    function Invoke-Psql([string] $Database, [string] $Sql, [string] $Password = $script:password) {
        $env:PGPASSWORD = $Password
        try { $out = & psql -X -q -At -h 127.0.0.1 -p $stack.PostgresPort -U postgres -d $Database -c $Sql 2>&1 }
        finally { Remove-Item Env:PGPASSWORD }
        if ($LASTEXITCODE) { throw "psql: $out" }
        $out
    }
    function Test-Database([string] $Name) { (Invoke-Psql postgres "SELECT count(*) FROM pg_database WHERE datname = '$Name'") -eq '1' }
    # A psql session that stays connected to $Database until it is stopped (the password goes in the environment, not the command line).
    function Start-HeldConnection([string] $Database) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new('psql')
        foreach ($a in '-X', '-q', '-h', '127.0.0.1', '-p', "$($stack.PostgresPort)", '-U', 'postgres', '-d', $Database, '-c', 'SELECT pg_sleep(600)') { $psi.ArgumentList.Add($a) }
        $psi.Environment['PGPASSWORD'] = $password
        $psi.Environment['PGAPPNAME'] = 'held-by-test'
        $psi.RedirectStandardError = $true; $psi.RedirectStandardOutput = $true
        [System.Diagnostics.Process]::Start($psi)
    }

    # The seed's Cognito users: preferred_username is the handle in public.users; one user has no row.
    $script:pool = aws cognito-idp create-user-pool --pool-name cruddur --query UserPool.Id --output text
    foreach ($u in @('andrewbrown', 'bayko', 'nobody')) {
        aws cognito-idp admin-create-user --user-pool-id $pool --username "user-$u" --user-attributes "Name=preferred_username,Value=$u" "Name=email,Value=$u@example.com" | Out-Null
        if ($LASTEXITCODE) { throw 'admin-create-user failed' }
    }
    $script:subs = @{}
    foreach ($u in (aws cognito-idp list-users --user-pool-id $pool --output json | ConvertFrom-Json).Users) {
        $subs[($u.Attributes | Where-Object Name -eq preferred_username).Value] = ($u.Attributes | Where-Object Name -eq sub).Value
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Invoke-CruddurDbSetup' {
    BeforeEach {
        $null = Invoke-Psql postgres 'DROP DATABASE IF EXISTS cruddur WITH (FORCE)'
        # The project root, as the seed's scripts expect it: backend-flask/db/schema.sql and seed.sql.
        $script:work = New-TestFolder
        Copy-Item (Join-Path $RepoRoot 'demo/cruddur/backend-flask') $work -Recurse
        Push-Location $work
        $env:AWS_COGNITO_USER_POOL_ID = $pool
    }
    AfterEach {
        Pop-Location
        Remove-Item Env:AWS_COGNITO_USER_POOL_ID, Env:CONNECTION_URL, Env:PROD_CONNECTION_URL -ErrorAction Ignore
    }

    It 'runs the full setup twice in a row, one typed result per step, and links the users to Cognito' {
        $first = Invoke-CruddurDbSetup -ConnectionUrl $url -Confirm:$false
        $second = Invoke-CruddurDbSetup -ConnectionUrl $url -Confirm:$false

        $first | Should -HaveCount 6
        $first[0].GetType().FullName | Should -Be 'Cruddur.Core.Database.DbSetupResult'
        ($first | ForEach-Object { "$($_.Step):$($_.Status)" }) | Should -Be @(
            'KillConnections:Skipped', 'Drop:Skipped', 'Create:Succeeded', 'Schema:Succeeded', 'Seed:Succeeded', 'CognitoUserIds:Succeeded')
        ($second | ForEach-Object { "$($_.Step):$($_.Status)" }) | Should -Be @(
            'KillConnections:Succeeded', 'Drop:Succeeded', 'Create:Succeeded', 'Schema:Succeeded', 'Seed:Succeeded', 'CognitoUserIds:Succeeded')
        $second | ForEach-Object { $_.Database | Should -Be 'cruddur'; $_.Duration | Should -BeGreaterThan ([TimeSpan]::Zero) }
        ($second | Where-Object Step -eq Schema).Statements | Should -Be 6
        ($second | Where-Object Step -eq Seed).RowsAffected | Should -Be 3
        $cognito = $second | Where-Object Step -eq CognitoUserIds
        $cognito.Matched | Should -Be 2
        $cognito.Unmatched | Should -Be 1
        $cognito.RowsAffected | Should -Be 2
        Invoke-Psql cruddur 'SELECT handle || ''='' || cognito_user_id FROM public.users ORDER BY handle' |
            Should -Be @("andrewbrown=$($subs.andrewbrown)", "bayko=$($subs.bayko)")
        Invoke-Psql cruddur 'SELECT count(*) FROM public.activities' | Should -Be '1'
    }

    It 'rolls a failing schema back and names the file, line N and column' {
        Invoke-CruddurDbSetup -ConnectionUrl $url -Confirm:$false | Out-Null
        Set-Content bad-schema.sql @(
            'CREATE TABLE public.marker (id int);'
            'DROP TABLE public.activities;'
            ''
            '-- the next statement spans lines'
            'CREATE TABLE public.other ('
            '  id int'
            ');   CREATE TABLEE public.broken (id int);'
        )
        { Invoke-CruddurDbSetup -ConnectionUrl $url -Step Schema -SchemaPath ./bad-schema.sql -ErrorAction Stop } |
            Should -Throw -ErrorId "DbScriptFailed$id" -ExpectedMessage '*bad-schema.sql:7:13: syntax error at or near "TABLEE"*rolled back*'
        Invoke-Psql cruddur "SELECT count(*) FROM pg_tables WHERE tablename IN ('marker', 'other')" | Should -Be '0'
        Invoke-Psql cruddur 'SELECT count(*) FROM public.activities' | Should -Be '1'
    }

    It 'rolls the seed back on a conflict, keeping the rows it inserted before the conflict out' {
        Invoke-CruddurDbSetup -ConnectionUrl $url -Step Create, Schema -Confirm:$false | Out-Null
        Set-Content conflict.sql @(
            "INSERT INTO public.users (display_name, handle, email) VALUES ('Carol', 'carol', 'carol@example.com');"
            "INSERT INTO public.users (display_name, handle, email)"
            "VALUES ('Carol Again', 'carol', 'carol2@example.com');"
        )
        { Invoke-CruddurDbSetup -ConnectionUrl $url -Step Seed -SeedPath ./conflict.sql -ErrorAction Stop } |
            Should -Throw -ErrorId "DbScriptFailed$id" -ExpectedMessage '*conflict.sql:2:1: duplicate key value violates unique constraint*Key (handle)=(carol) already exists.*rolled back*'
        Invoke-Psql cruddur 'SELECT count(*) FROM public.users' | Should -Be '0'
    }

    It 'terminates connections held by another client, never its own or other databases'' sessions, and the drop then succeeds' {
        Invoke-CruddurDbSetup -ConnectionUrl $url -Confirm:$false | Out-Null
        $held = @((Start-HeldConnection cruddur), (Start-HeldConnection cruddur))
        $elsewhere = Start-HeldConnection postgres
        try {
            Wait-Until { (Invoke-Psql postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'held-by-test' AND state = 'active'") -eq '3' } 'the held sessions'

            $results = Invoke-CruddurDbSetup -ConnectionUrl $url -Step KillConnections, Drop, Create -Confirm:$false

            ($results | ForEach-Object { "$($_.Step):$($_.Status)" }) | Should -Be @('KillConnections:Succeeded', 'Drop:Succeeded', 'Create:Succeeded')
            # Two killed, not three: the step's own session inside cruddur survived (it reports the count after the kill).
            $results[0].RowsAffected | Should -Be 2
            Wait-Until { $held[0].HasExited -and $held[1].HasExited } 'the killed psql sessions to exit'
            $held[0].ExitCode | Should -Not -Be 0
            $elsewhere.HasExited | Should -BeFalse
        } finally {
            foreach ($p in $held + $elsewhere) { if (-not $p.HasExited) { $p.Kill() }; $p.Dispose() }
        }
    }

    It 'refuses KillConnections and Drop on a host that is not local without -Force, before connecting' -TestCases @(
        @{ Step = 'KillConnections' }, @{ Step = 'Drop' }
    ) {
        param($Step)
        # 192.0.2.1 (TEST-NET) does not answer: an attempt to connect would time out instead of failing at once.
        { Invoke-CruddurDbSetup -ConnectionUrl 'postgresql://postgres:pw@192.0.2.1:5432/cruddur' -Step $Step -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId "DbRemoteHostNeedsForce$id" -ExpectedMessage "*$Step*192.0.2.1*-Force*"
    }

    It 'asks before KillConnections and Drop (high impact), not before the other steps' {
        [Environment]::GetCommandLineArgs() | Should -Contain '-NonInteractive' -Because 'build.ps1 runs Pester non-interactively; a prompt would wait here'
        (Invoke-CruddurDbSetup -ConnectionUrl $url -Step Create, Schema).Status | Should -Be @('Succeeded', 'Succeeded')

        { Invoke-CruddurDbSetup -ConnectionUrl $url -Step Drop -ErrorAction Stop } | Should -Throw '*NonInteractive*'
        Test-Database cruddur | Should -BeTrue

        $ConfirmPreference = 'None'
        (Invoke-CruddurDbSetup -ConnectionUrl $url -Step Drop).Status | Should -Be 'Succeeded'
        Test-Database cruddur | Should -BeFalse
    }

    It 'asks nothing and touches nothing with -WhatIf' {
        $out = Invoke-CruddurDbSetup -ConnectionUrl $url -WhatIf
        $out | Should -BeNullOrEmpty
        Test-Database cruddur | Should -BeFalse
    }

    It 'checks the script files before dropping anything' {
        Invoke-CruddurDbSetup -ConnectionUrl $url -Confirm:$false | Out-Null
        { Invoke-CruddurDbSetup -ConnectionUrl $url -SchemaPath ./missing.sql -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId "DbScriptNotFound$id" -ExpectedMessage '*missing.sql*'
        Invoke-Psql cruddur 'SELECT count(*) FROM public.users' | Should -Be '2'
    }

    It 'needs a user pool for the CognitoUserIds step, and says so before changing anything' {
        Remove-Item Env:AWS_COGNITO_USER_POOL_ID
        { Invoke-CruddurDbSetup -ConnectionUrl $url -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "DbUserPoolIdMissing$id"
        Test-Database cruddur | Should -BeFalse
    }

    It 'says the database is in use when Create would collide' {
        Invoke-CruddurDbSetup -ConnectionUrl $url -Step Create -Confirm:$false | Out-Null
        { Invoke-CruddurDbSetup -ConnectionUrl $url -Step Create -ErrorAction Stop } | Should -Throw -ErrorId "DbDatabaseExists$id"
    }

    It 'reads CONNECTION_URL from a piped env file, PROD_CONNECTION_URL with -Environment Prod (from the environment when the file lacks it), else from the environment' {
        $env:T_URL = $url
        Set-Content t.env.erb "CONNECTION_URL=<%= ENV['T_URL'] %>`nPROD_CONNECTION_URL=<%= ENV['T_URL'] %>`n"
        Set-Content noprod.env.erb "CONNECTION_URL=<%= ENV['T_URL'] %>`n"
        try {
            $envFile = New-CruddurEnvFile ./t.env.erb
            ($envFile | Invoke-CruddurDbSetup -Step Create).Status | Should -Be 'Succeeded'
            ($envFile | Invoke-CruddurDbSetup -Step Schema -Environment Prod).Status | Should -Be 'Succeeded'
            { New-CruddurEnvFile ./noprod.env.erb | Invoke-CruddurDbSetup -Step Seed -Environment Prod -ErrorAction Stop } |
                Should -Throw -ErrorId "DbConnectionUrlMissing$id" -ExpectedMessage "*noprod.env' has no PROD_CONNECTION_URL, and `$env:PROD_CONNECTION_URL is not set*"
            # As the seed's scripts do, a PROD_CONNECTION_URL the env file lacks comes from the environment.
            $env:PROD_CONNECTION_URL = $url
            try { (New-CruddurEnvFile ./noprod.env.erb | Invoke-CruddurDbSetup -Step Seed -Environment Prod).RowsAffected | Should -Be 3 }
            finally { Remove-Item Env:PROD_CONNECTION_URL }
            Invoke-CruddurDbSetup -ConnectionUrl $url -Step Schema -Confirm:$false | Out-Null
            $env:CONNECTION_URL = $url
            (Invoke-CruddurDbSetup -Step Seed).RowsAffected | Should -Be 3
        } finally { Remove-Item Env:T_URL }
    }

    It 'rejects a bad URL with <Case>' -TestCases @(
        @{ Case = 'no host'; Url = 'postgresql://postgres:pw@:5432/cruddur'; Message = '*names no host*' }
        @{ Case = 'a bad port'; Url = 'postgresql://postgres:pw@localhost:70000/cruddur'; Message = "*port '70000'*" }
        @{ Case = 'an unknown scheme'; Url = 'mysql://postgres:pw@localhost/cruddur'; Message = "*scheme is 'mysql'*" }
    ) {
        param($Url, $Message)
        { Invoke-CruddurDbSetup -ConnectionUrl $Url -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "DbConnectionUrlInvalid$id" -ExpectedMessage $Message
    }

    It 'takes -Step from the DbSetupStep names, in any case, completes them, and refuses another name listing them' {
        $names = [Enum]::GetNames((Get-Command Invoke-CruddurDbSetup).OutputType[0].Type.Assembly.GetType('Cruddur.Core.Database.DbSetupStep'))
        { Invoke-CruddurDbSetup -ConnectionUrl 'postgresql://postgres@localhost/cruddur' -Step Schema, Migrate -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.InvokeCruddurDbSetupCommand' -ExpectedMessage "*'Migrate' is not one of $($names -join ', ')*"
        (TabExpansion2 'Invoke-CruddurDbSetup -Step ' 28).CompletionMatches.CompletionText | Sort-Object | Should -Be ($names | Sort-Object)
        (TabExpansion2 'Invoke-CruddurDbSetup -Step Co' 30).CompletionMatches.CompletionText | Should -Be 'CognitoUserIds'
        { Invoke-CruddurDbSetup -Step schema -ErrorAction Stop } | Should -Throw -ErrorId "DbConnectionUrlMissing$id" -Because 'a known step in another case binds'
    }

    It 'says where to put the URL when there is none' {
        { Invoke-CruddurDbSetup -Step Schema -ErrorAction Stop } | Should -Throw -ErrorId "DbConnectionUrlMissing$id" -ExpectedMessage '*CONNECTION_URL*'
    }

    It 'reports a wrong password as an authentication error' {
        { Invoke-CruddurDbSetup -ConnectionUrl ($url -replace $password, 'wrong-pw') -Step Create -ErrorAction Stop } |
            Should -Throw -ErrorId "DbAuthenticationFailed$id"
    }

    It 'reports a server that is down as a connection error' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $port = $listener.LocalEndpoint.Port; $listener.Stop()
        { Invoke-CruddurDbSetup -ConnectionUrl "postgresql://postgres:pw@127.0.0.1:$port/cruddur" -Step Create -ErrorAction Stop } |
            Should -Throw -ErrorId "DbConnectionFailed$id" -ExpectedMessage "*127.0.0.1:$port*"
    }

    It 'never shows the password in any stream, whether it succeeds or fails' {
        $secret = 'S3cr-' + [guid]::NewGuid().ToString('N')
        $null = Invoke-Psql postgres "ALTER USER postgres PASSWORD '$secret'"
        $encoded = $secret.Replace('-', '%2D')
        $goodUrl = "postgresql://postgres:$encoded@127.0.0.1:$($stack.PostgresPort)/cruddur"
        try {
            $texts = @(
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl $goodUrl -Confirm:$false -Verbose }
                # What if: lines go to the host, not to a stream: a transcript catches them.
                & {
                    $transcript = Join-Path $TestDrive 'whatif.txt'
                    $null = Start-Transcript -LiteralPath $transcript
                    try { Invoke-CruddurDbSetup -ConnectionUrl $goodUrl -WhatIf -Verbose } finally { $null = Stop-Transcript }
                    Get-Content -Raw $transcript
                }
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl $goodUrl -Step Create -Verbose }
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl "postgresql://postgres:$secret@127.0.0.1:$($stack.PostgresPort)/cruddur" -Step Schema -SchemaPath ./nope.sql }
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl "postgresql://postgres:$($secret)x@127.0.0.1:$($stack.PostgresPort)/cruddur" -Step Seed -Verbose }
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl "postgresql://postgres:$secret@127.0.0.1:1/cruddur" -Step Seed -Verbose }
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl "postgresql://postgres:$secret@[::1/cruddur" -Step Seed }
                Get-AllStreamText { Invoke-CruddurDbSetup -ConnectionUrl "postgresql://postgres:$secret@10.0.0.1/cruddur" -Confirm:$false }
            )
            $texts[0] | Should -Match 'CognitoUserIds'
            $texts[1] | Should -Match 'What if: .*Drop the database'
            $texts[4] | Should -Match 'refused user'
            foreach ($text in $texts) {
                $text | Should -Not -BeNullOrEmpty
                $text | Should -Not -Match $secret
                $text | Should -Not -Match ([regex]::Escape($encoded))
            }
        } finally {
            $null = Invoke-Psql postgres "ALTER USER postgres PASSWORD '$password'" -Password $secret
        }
    }
}
