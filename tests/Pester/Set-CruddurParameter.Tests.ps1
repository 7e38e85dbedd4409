BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack

    function Get-StoredParameter([string] $Name) {
        $text = aws ssm get-parameter --name $Name --with-decryption --output json 2>$null
        if ($LASTEXITCODE) { return $null }
        ($text | ConvertFrom-Json).Parameter
    }
    function Get-StoredNames {
        @((aws ssm get-parameters-by-path --path / --recursive --output json | ConvertFrom-Json).Parameters.Name | Sort-Object)
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Set-CruddurParameter' {
    BeforeEach {
        Reset-CruddurStack $stack
        $script:work = New-TestFolder
        Push-Location $work
        $script:secret = 'pg-SECRET-' + [guid]::NewGuid().ToString('N')
        $script:token = 'rb-SECRET-' + [guid]::NewGuid().ToString('N')
        Set-Content ./backend-flask.env "FLASK_ENV=production`nCONNECTION_URL=postgresql://cruddur:$secret@db:5432/cruddur`nROLLBAR_ACCESS_TOKEN=$token`n"
    }
    AfterEach { Pop-Location }

    It 'writes the named values of an env file as SecureStrings with overwrite, reporting versions' {
        $first = Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL, ROLLBAR_ACCESS_TOKEN

        $first | ForEach-Object { "$($_.Name) $($_.Version) $($_.Type)" } | Should -Be @(
            '/cruddur/backend-flask/CONNECTION_URL 1 SecureString', '/cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN 1 SecureString')
        $stored = Get-StoredParameter /cruddur/backend-flask/CONNECTION_URL
        $stored.Type | Should -Be 'SecureString'
        $stored.Value | Should -BeExactly "postgresql://cruddur:$secret@db:5432/cruddur"
        (Get-StoredParameter /cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN).Value | Should -BeExactly $token
        Get-StoredNames | Should -Be @('/cruddur/backend-flask/CONNECTION_URL', '/cruddur/backend-flask/ROLLBAR_ACCESS_TOKEN')

        Set-Content ./backend-flask.env "CONNECTION_URL=changed`n"
        $second = Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL -Path cruddur/backend-flask

        "$($second.Name) $($second.Version)" | Should -Be '/cruddur/backend-flask/CONNECTION_URL 2'
        (Get-StoredParameter /cruddur/backend-flask/CONNECTION_URL).Value | Should -BeExactly 'changed'
    }

    It 'takes New-CruddurEnvFile output from the pipeline and a path elsewhere' {
        Set-Content ./t.env.erb "CONNECTION_URL=<%= ENV['CRUDDUR_T_URL'] %>`n"
        $env:CRUDDUR_T_URL = $secret
        try {
            $result = New-CruddurEnvFile ./t.env.erb | Set-CruddurParameter -Name CONNECTION_URL -Path /cruddur/other/
        } finally { Remove-Item Env:CRUDDUR_T_URL }

        $result.Name | Should -Be '/cruddur/other/CONNECTION_URL'
        (Get-StoredParameter /cruddur/other/CONNECTION_URL).Value | Should -BeExactly $secret
    }

    It 'writes one -Value given as a SecureString' {
        $result = Set-CruddurParameter OTEL_EXPORTER_OTLP_HEADERS -Value (ConvertTo-SecureString "x-honeycomb-team=$secret" -AsPlainText -Force)

        "$($result.Name) $($result.Version)" | Should -Be '/cruddur/backend-flask/OTEL_EXPORTER_OTLP_HEADERS 1'
        (Get-StoredParameter /cruddur/backend-flask/OTEL_EXPORTER_OTLP_HEADERS).Value | Should -BeExactly "x-honeycomb-team=$secret"
    }

    It 'never shows a value in any stream, with -Verbose, -WhatIf or a failure' {
        $text = Get-AllStreamText {
            Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL, ROLLBAR_ACCESS_TOKEN -Verbose
            Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL -WhatIf -Verbose
            Set-CruddurParameter -Name CONNECTION_URL -Value (ConvertTo-SecureString $secret -AsPlainText -Force) -Verbose
            Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL -Path '/bad path/' -Verbose
            Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL -EndpointUrl http://127.0.0.1:9 -Verbose
        }

        $text | Should -Match '/cruddur/backend-flask/CONNECTION_URL'
        $text | Should -Match 'AwsEndpointUnreachable|Could not reach'
        $text | Should -Not -Match $secret
        $text | Should -Not -Match $token
    }

    It 'writes nothing under -WhatIf' {
        Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL -WhatIf | Should -BeNullOrEmpty
        Get-StoredNames | Should -BeNullOrEmpty
    }

    Context 'bad input writes nothing' {
        It 'names missing from the env file are listed together' {
            { Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL, NOPE_ONE, NOPE_TWO -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterValueMissing,Cruddur.PowerShell.Commands.SetCruddurParameterCommand' -ExpectedMessage '*has no value for NOPE_ONE, NOPE_TWO*Nothing was written*'
            Get-StoredNames | Should -BeNullOrEmpty
        }

        It 'a name that is not a parameter name: <Name>' -ForEach @(@{ Name = 'CONNECTION URL' }, @{ Name = "CONNECTION_URL`n" }) {
            { Set-CruddurParameter -EnvFile ./backend-flask.env -Name $Name -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterNameInvalid,Cruddur.PowerShell.Commands.SetCruddurParameterCommand'
            Get-StoredNames | Should -BeNullOrEmpty
        }

        It 'a path that is not a Parameter Store path' {
            { Set-CruddurParameter -EnvFile ./backend-flask.env -Name CONNECTION_URL -Path '/cruddur/back end/' -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterPathInvalid,Cruddur.PowerShell.Commands.SetCruddurParameterCommand'
            Get-StoredNames | Should -BeNullOrEmpty
        }

        It '-Value with more than one name' {
            { Set-CruddurParameter -Name A, B -Value (ConvertTo-SecureString x -AsPlainText -Force) -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterValueNeedsOneName,Cruddur.PowerShell.Commands.SetCruddurParameterCommand'
            Get-StoredNames | Should -BeNullOrEmpty
        }

        It 'an env file that does not exist' {
            { Set-CruddurParameter -EnvFile ./missing.env -Name CONNECTION_URL -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,Cruddur.PowerShell.Commands.SetCruddurParameterCommand' -ExpectedMessage "*The env file '*missing.env' does not exist*"
        }
    }

    It 'completes -Name with the env file''s keys' {
        $line = 'Set-CruddurParameter -EnvFile ./backend-flask.env -Name CO'
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('CONNECTION_URL')
        $line = 'Set-CruddurParameter -EnvFile ./backend-flask.env -Name '
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('FLASK_ENV', 'CONNECTION_URL', 'ROLLBAR_ACCESS_TOKEN')
    }

    It 'completes -Name with the keys of a piped env file, as the README pipes it' {
        $global:CruddurTestEnvFile = (Resolve-Path ./backend-flask.env).Path
        try {
            $line = '$CruddurTestEnvFile | Set-CruddurParameter -Name RO'
            (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('ROLLBAR_ACCESS_TOKEN')
            $line = "'./backend-flask.env' | Set-CruddurParameter -Name F"
            (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Be @('FLASK_ENV')
        } finally { Remove-Variable CruddurTestEnvFile -Scope Global }
    }
}
