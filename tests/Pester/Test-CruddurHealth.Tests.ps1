BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:id = ',Cruddur.PowerShell.Commands.TestCruddurHealthCommand'
    $portFile = Join-Path $TestDrive 'port'
    $psi = [System.Diagnostics.ProcessStartInfo]::new('python3')
    $psi.ArgumentList.Add((Join-Path $PSScriptRoot 'fixtures/health-server.py')); $psi.ArgumentList.Add($portFile)
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
    $script:server = [System.Diagnostics.Process]::Start($psi)
    $port = Wait-Until {
        if ($server.HasExited) { throw "health server did not start: $($server.StandardError.ReadToEnd())" }
        if (Test-Path $portFile) { Get-Content $portFile -Raw }
    } 'the health server' 30
    $script:base = "http://127.0.0.1:$port"
}

AfterAll {
    if ($server -and -not $server.HasExited) { $server.Kill() }
}

Describe 'Test-CruddurHealth' {
    It 'calls a service healthy that answers /api/health-check with 200 and {"success": true}' {
        $result = Test-CruddurHealth -Url $base

        $result.GetType().FullName | Should -Be 'Cruddur.Core.Health.HealthCheckResult'
        $result.Healthy | Should -BeTrue
        $result.Url | Should -Be "$base/api/health-check"
        $result.StatusCode | Should -Be 200
        $result.Attempts | Should -Be 1
        $result.Error | Should -BeNullOrEmpty
        Test-CruddurHealth $base -Quiet | Should -BeExactly $true
    }

    It 'is unhealthy on <Case>, after retrying' -TestCases @(
        @{ Case = 'HTTP 500'; Path = '/fail'; Status = 500; Reason = 'HTTP 500 instead of 200' }
        @{ Case = '{"success": false}'; Path = '/wrong'; Status = 200; Reason = 'the answer is not {"success": true}' }
        @{ Case = 'a body that is not JSON'; Path = '/text'; Status = 200; Reason = 'the answer is not {"success": true}' }
        @{ Case = 'a missing route'; Path = '/nothing-here'; Status = 404; Reason = 'HTTP 404 instead of 200' }
    ) {
        param($Path, $Status, $Reason)
        $result = Test-CruddurHealth $base -Path $Path -RetryCount 2 -RetryIntervalSeconds 0

        $result.Healthy | Should -BeFalse
        $result.StatusCode | Should -Be $Status
        $result.Attempts | Should -Be 3
        $result.Error | Should -BeExactly $Reason
        Test-CruddurHealth $base -Path $Path -RetryCount 0 -Quiet | Should -BeExactly $false
    }

    It 'gives up on a slow answer after -TimeoutSeconds' {
        $result = Test-CruddurHealth $base -Path /slow -TimeoutSeconds 1 -RetryCount 0

        $result.Healthy | Should -BeFalse
        $result.StatusCode | Should -BeNullOrEmpty
        $result.Error | Should -Be 'no answer within 1 s'
        $result.Latency.TotalSeconds | Should -BeLessThan 2.5
    }

    It 'takes -Timeout and -RetryInterval as seconds or a TimeSpan, like Deploy-CruddurService' -TestCases @(
        @{ Timeout = 1 }, @{ Timeout = '00:00:01' }, @{ Timeout = [TimeSpan]::FromSeconds(1) }
    ) {
        param($Timeout)
        $result = Test-CruddurHealth $base -Path /slow -Timeout $Timeout -RetryCount 1 -RetryInterval 0.2

        $result.Error | Should -Be 'no answer within 1 s'
        $result.Attempts | Should -Be 2
        { Test-CruddurHealth $base -Timeout 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.TestCruddurHealthCommand'
    }

    It 'retries until a starting service answers' {
        $key = [guid]::NewGuid().ToString('N')
        $result = Test-CruddurHealth $base -Path "/flaky/$key/2" -RetryCount 3 -RetryIntervalSeconds 0

        $result.Healthy | Should -BeTrue
        $result.Attempts | Should -Be 3
        (Test-CruddurHealth $base -Path "/flaky/$([guid]::NewGuid().ToString('N'))/2" -RetryCount 1 -RetryIntervalSeconds 0).Healthy | Should -BeFalse
    }

    It 'reports a refused connection' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $port = $listener.LocalEndpoint.Port; $listener.Stop()

        $result = Test-CruddurHealth "http://127.0.0.1:$port" -RetryCount 1 -RetryIntervalSeconds 0

        $result.Healthy | Should -BeFalse
        $result.Attempts | Should -Be 2
        $result.Error | Should -BeLike 'could not connect:*'
    }

    It 'works as a container health-check command: exit code 0 when healthy, 1 when not' {
        $module = $env:CRUDDUR_MODULE_PATH
        foreach ($case in @(@{ Path = '/api/health-check'; Code = 0 }, @{ Path = '/fail'; Code = 1 })) {
            & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$module'; if (-not (Test-CruddurHealth '$base' -Path '$($case.Path)' -RetryCount 0 -Quiet)) { exit 1 }"
            $LASTEXITCODE | Should -Be $case.Code
        }
    }

    It 'rejects a URL that is not absolute http(s)' -TestCases @(@{ Url = 'localhost:4567' }, @{ Url = 'ftp://localhost/' }) {
        param($Url)
        { Test-CruddurHealth $Url -ErrorAction Stop } | Should -Throw -ErrorId "HealthUrlInvalid$id"
    }
}
