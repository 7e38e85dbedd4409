BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Postgres
    $script:password = $stack.PostgresPassword
    # The maintenance database always exists; the test needs no setup.
    $script:url = "postgresql://postgres:$password@127.0.0.1:$($stack.PostgresPort)/postgres"
    $script:id = ',Cruddur.PowerShell.Commands.TestCruddurDatabaseCommand'
}

AfterAll {
    Stop-CruddurStack $stack
}

Describe 'Test-CruddurDatabase' {
    AfterEach { Remove-Item Env:CONNECTION_URL, Env:PROD_CONNECTION_URL -ErrorAction Ignore }

    It 'connects and reports the server version and latency' {
        $result = Test-CruddurDatabase $url

        $result.GetType().FullName | Should -Be 'Cruddur.Core.Database.DbTestResult'
        $result.Reachable | Should -BeTrue
        $result.ServerVersion | Should -Match '^15\.'
        $result.Latency | Should -BeGreaterThan ([TimeSpan]::Zero)
        $result.Url | Should -Be "postgresql://postgres@127.0.0.1:$($stack.PostgresPort)/postgres"
        $result.Error | Should -BeNullOrEmpty
        Test-CruddurDatabase $url -Quiet | Should -BeExactly $true
    }

    It 'takes -Timeout as seconds or a TimeSpan, and the old -TimeoutSeconds still' {
        (Test-CruddurDatabase $url -Timeout 3).Reachable | Should -BeTrue
        (Test-CruddurDatabase $url -Timeout '00:00:03').Reachable | Should -BeTrue
        (Test-CruddurDatabase $url -TimeoutSeconds 3).Reachable | Should -BeTrue
        { Test-CruddurDatabase $url -Timeout 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.TestCruddurDatabaseCommand'
    }

    It 'reads CONNECTION_URL, or PROD_CONNECTION_URL with -Environment Prod' {
        $env:CONNECTION_URL = $url
        (Test-CruddurDatabase).Reachable | Should -BeTrue
        $env:PROD_CONNECTION_URL = $url -replace $password, 'wrong'
        (Test-CruddurDatabase -Environment Prod).ErrorId | Should -Be 'DbAuthenticationFailed'
    }

    It 'reads CONNECTION_URL from an env file given by path, and names a missing one' {
        $envFile = Join-Path $TestDrive 'backend-flask.env'
        Set-Content $envFile "OTHER=1`nCONNECTION_URL=$url`n"

        (Test-CruddurDatabase -EnvFile $envFile).Reachable | Should -BeTrue
        { Test-CruddurDatabase -EnvFile (Join-Path $TestDrive 'missing.env') -ErrorAction Stop } |
            Should -Throw -ErrorId "ParameterArgumentTransformationError$id" -ExpectedMessage '*missing.env*does not exist*'
    }

    It 'returns <ErrorId> for <Case>, without the password' -TestCases @(
        @{ Case = 'a wrong password'; Make = { $url -replace $password, 'wrong-password' }; ErrorId = 'DbAuthenticationFailed' }
        @{ Case = 'a database that does not exist'; Make = { $url -replace '/postgres$', '/nonesuch' }; ErrorId = 'DbDatabaseNotFound' }
        @{ Case = 'a server that is down'; Make = {
                $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop()
                "postgresql://postgres:$password@127.0.0.1:$p/postgres" }; ErrorId = 'DbConnectionFailed' }
    ) {
        param($Make, $ErrorId)
        $target = & $Make
        $result = Test-CruddurDatabase $target

        $result.Reachable | Should -BeFalse
        $result.ErrorId | Should -Be $ErrorId
        $result.Error | Should -Not -BeNullOrEmpty
        Test-CruddurDatabase $target -Quiet | Should -BeExactly $false
        $text = Get-AllStreamText { Test-CruddurDatabase $target -Verbose }
        $text | Should -Match $ErrorId
        $text | Should -Not -Match $password
        $text | Should -Not -Match 'wrong-password'
    }

    It 'rejects an unusable URL with an error' {
        { Test-CruddurDatabase "postgresql://postgres:$password@:5432/cruddur" -ErrorAction Stop } | Should -Throw -ErrorId "DbConnectionUrlInvalid$id"
        $text = Get-AllStreamText { Test-CruddurDatabase "postgresql://postgres:$password@:5432/cruddur" }
        $text | Should -Match 'is not usable: it names no host'
        $text | Should -Not -Match $password
    }
}
