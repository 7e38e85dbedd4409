BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:fixtures = Join-Path $RepoRoot 'tests/Cruddur.Core.Tests/fixtures/erb'
    # Written before any profile lookup: AWSSDK.Core remembers shared config files that were absent at its first look.
    New-Item -ItemType Directory -Force (Split-Path $env:AWS_CONFIG_FILE) | Out-Null
    Set-Content $env:AWS_CONFIG_FILE "[profile cruddur-test]`nregion = eu-west-2`n"
    Set-Content $env:AWS_SHARED_CREDENTIALS_FILE "[cruddur-test]`naws_access_key_id = testing`naws_secret_access_key = testing`n"
    $script:seedVars = @{
        GITPOD_WORKSPACE_ID = 'ws-1'; GITPOD_WORKSPACE_CLUSTER_HOST = 'gitpod.example'; AWS_COGNITO_USER_POOL_ID = 'us-east-1_pool'
        AWS_COGNITO_USER_POOL_CLIENT_ID = 'client1'
    }
    function Put-Parameter([string] $Name, [string] $Value) {
        aws ssm put-parameter --type SecureString --overwrite --name $Name --value $Value --output text | Out-Null
        if ($LASTEXITCODE) { throw "aws ssm put-parameter $Name failed" }
    }
}

AfterAll {
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'New-CruddurEnvFile' {
    BeforeEach {
        Reset-CruddurStack $stack
        $script:work = New-TestFolder
        Push-Location $work
        foreach ($k in $seedVars.Keys) { Set-Item "Env:$k" $seedVars[$k] }
    }
    AfterEach {
        Pop-Location
        foreach ($k in $seedVars.Keys + 'HONEYCOMB_API_KEY', 'ROLLBAR_ACCESS_TOKEN', 'CRUDDUR_T_X', 'CRUDDUR_T_Y', 'CRUDDUR_T_Z') { Remove-Item "Env:$k" -ErrorAction Ignore }
    }

    It 'renders the seed frontend template into the current folder with mode 0600' {
        $result = New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb')

        $result.Path | Should -Be (Join-Path $work 'frontend-react-js.env')
        $result.Keys | Should -Be @('REACT_APP_BACKEND_URL', 'REACT_APP_AWS_PROJECT_REGION', 'REACT_APP_AWS_COGNITO_REGION', 'REACT_APP_AWS_USER_POOLS_ID', 'REACT_APP_CLIENT_ID')
        Get-Content $result.Path -Raw | Should -BeExactly "REACT_APP_BACKEND_URL=https://4567-ws-1.gitpod.example`nREACT_APP_AWS_PROJECT_REGION=us-east-1`nREACT_APP_AWS_COGNITO_REGION=us-east-1`nREACT_APP_AWS_USER_POOLS_ID=us-east-1_pool`nREACT_APP_CLIENT_ID=client1`n"
        (Get-Item $result.Path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        $result.ReadValues()['REACT_APP_CLIENT_ID'] | Should -Be 'client1'
    }

    It 'takes -Variable over Parameter Store over the environment, and says where each value came from' {
        Put-Parameter '/cruddur/test/CRUDDUR_T_X' 'from-ssm-x'
        Put-Parameter '/cruddur/test/nested/CRUDDUR_T_Y' 'from-ssm-y'
        $env:CRUDDUR_T_X = 'env-x'; $env:CRUDDUR_T_Y = 'env-y'; $env:CRUDDUR_T_Z = 'env-z'
        Set-Content t.env.erb "X=<%= ENV['CRUDDUR_T_X'] %>`nY=<%= ENV['CRUDDUR_T_Y'] %>`nZ=<%= ENV['CRUDDUR_T_Z'] %>`nW=<%= ENV.fetch('CRUDDUR_T_W', 'dflt') %>`n" -NoNewline

        $result = New-CruddurEnvFile ./t.env.erb -ParameterPath /cruddur/test/ -Variable @{ CRUDDUR_T_X = 'from-variable' }

        Get-Content ./t.env -Raw | Should -BeExactly "X=from-variable`nY=from-ssm-y`nZ=env-z`nW=dflt`n"
        ($result.Variables | ForEach-Object { "$($_.Name)=$($_.Source)" }) | Should -Be @(
            'CRUDDUR_T_X=Variable', 'CRUDDUR_T_Y=ParameterStore:/cruddur/test/nested/CRUDDUR_T_Y', 'CRUDDUR_T_Z=Environment', 'CRUDDUR_T_W=Default')
    }

    It 'never shows a Parameter Store secret in any stream' {
        $secret = 'hc-SECRET-' + [guid]::NewGuid().ToString('N')
        Put-Parameter '/cruddur/backend-flask/HONEYCOMB_API_KEY' $secret
        $env:ROLLBAR_ACCESS_TOKEN = 'r'
        $text = Get-AllStreamText { New-CruddurEnvFile (Join-Path $fixtures 'backend-flask.env.erb') -ParameterPath /cruddur/backend-flask -AllowMissing -Verbose }

        $text | Should -Not -BeNullOrEmpty
        $text | Should -Not -Match $secret
        Get-Content ./backend-flask.env -Raw | Should -Match "x-honeycomb-team=$secret"
    }

    It 'lists every missing variable in one error and writes nothing' {
        Set-Content ./backend-flask.env 'OLD=1'
        { New-CruddurEnvFile (Join-Path $fixtures 'backend-flask.env.erb') -ErrorAction Stop } |
            Should -Throw -ErrorId 'EnvFileVariableMissing,Cruddur.PowerShell.Commands.NewCruddurEnvFileCommand' -ExpectedMessage '*needs 2 variable(s) that are not set: HONEYCOMB_API_KEY, ROLLBAR_ACCESS_TOKEN.*'
        $Error[0].Exception.Message | Should -Match '-Variable .*-ParameterPath.*-AllowMissing' -Because 'the message names the parameters that fix it'
        Get-Content ./backend-flask.env -Raw | Should -BeExactly "OLD=1`n"
        Get-ChildItem -Force -Filter '*.tmp' | Should -BeNullOrEmpty
    }

    It 'renders missing variables empty with -AllowMissing, as ERB does' {
        Remove-Item Env:AWS_COGNITO_USER_POOL_ID
        New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -AllowMissing | Out-Null

        Get-Content ./frontend-react-js.env | Should -Contain 'REACT_APP_AWS_USER_POOLS_ID='
    }

    It 'writes nothing under -WhatIf' {
        $result = New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -WhatIf

        $result | Should -BeNullOrEmpty
        Test-Path ./frontend-react-js.env | Should -BeFalse
    }

    It 'takes templates from Get-ChildItem and wildcards, into a destination folder' {
        $dest = New-TestFolder
        $env:HONEYCOMB_API_KEY = 'h'; $env:ROLLBAR_ACCESS_TOKEN = 'r'; $env:AWS_ACCESS_KEY_ID = 'testing'
        $fromPipe = Get-ChildItem (Join-Path $fixtures '*') -Include 'backend-flask.env.erb', 'frontend-react-js.env.erb' | New-CruddurEnvFile -Destination $dest
        $fromWildcard = New-CruddurEnvFile (Join-Path $fixtures 'front*.erb') -Destination (New-TestFolder)

        $fromPipe.Path | Sort-Object | Should -Be @((Join-Path $dest 'backend-flask.env'), (Join-Path $dest 'frontend-react-js.env'))
        $fromWildcard.Keys.Count | Should -Be 5
    }

    It 'refuses two templates that would overwrite the same file' {
        Copy-Item (Join-Path $fixtures 'frontend-react-js.env.erb') ./a.erb
        Copy-Item (Join-Path $fixtures 'frontend-react-js.env.erb') ./b.erb
        $errors = $null
        $null = New-CruddurEnvFile ./a.erb, ./b.erb -Destination ./same.env -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.FullyQualifiedErrorId | Should -Be 'EnvFileDestinationConflict,Cruddur.PowerShell.Commands.NewCruddurEnvFileCommand'
    }

    It 'names file, line and column of an unsupported tag and writes nothing' {
        Set-Content ./bad.env.erb "A=1`nB=<%= ENV['X'].upcase %>`n"

        { New-CruddurEnvFile ./bad.env.erb -ErrorAction Stop } | Should -Throw -ErrorId 'EnvFileTemplateInvalid,*' -ExpectedMessage '*bad.env.erb:2:3:*'
        Test-Path ./bad.env | Should -BeFalse
    }

    It 'reports a template that does not exist' {
        { New-CruddurEnvFile ./nope.env.erb -ErrorAction Stop } | Should -Throw -ErrorId 'EnvFileTemplateNotFound,*'
        { New-CruddurEnvFile ./nope*.erb -ErrorAction Stop } | Should -Throw -ErrorId 'EnvFileTemplateNotFound,*'
    }

    It 'reports a destination folder that does not exist' {
        { New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -Destination ./no/such/dir/x.env -ErrorAction Stop } |
            Should -Throw -ErrorId 'EnvFileDestinationNotFound,*'
        $Error[0].Exception.Message | Should -Match "The folder '.*dir' does not exist\. Create it first or pass another -Destination\."
    }

    It 'warns when the env file would be committable in a git work tree, and not when git ignores it' {
        git init -q .
        $warnings = $null
        New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        "$warnings" | Should -Match 'gitignore'

        Set-Content .gitignore '*.env'
        New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $warnings | Should -BeNullOrEmpty
    }

    It 'rejects a malformed -ParameterPath before calling AWS' {
        { New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -ParameterPath '/bad path/' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterPathInvalid,*'
    }

    It 'says how to set a region when none is set' {
        $saved = $env:AWS_REGION, $env:AWS_DEFAULT_REGION
        Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION
        try {
            { New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -ParameterPath /cruddur/x -AllowMissing -ErrorAction Stop } |
                Should -Throw -ErrorId 'AwsRegionNotSet,*' -ExpectedMessage '*AWS_REGION*-Region us-east-1*'
        } finally { $env:AWS_REGION, $env:AWS_DEFAULT_REGION = $saved }
    }

    It 'says how to provide credentials when there are none' {
        $saved = $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY
        Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY
        try {
            { New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -ParameterPath /cruddur/x -AllowMissing -ErrorAction Stop } |
                Should -Throw -ErrorId 'AwsCredentialsNotFound,*' -ExpectedMessage '*AWS_ACCESS_KEY_ID*'
        } finally { $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY = $saved }
    }

    It 'reports an unknown -ProfileName' {
        { New-CruddurEnvFile (Join-Path $fixtures 'frontend-react-js.env.erb') -ParameterPath /cruddur/x -ProfileName nosuchprofile -ErrorAction Stop } |
            Should -Throw -ErrorId 'AwsProfileNotFound,*'
    }

    It 'uses a named profile''s credentials and region' {
        Put-Parameter '/cruddur/test/CRUDDUR_T_X' 'us-east-1-value'
        aws ssm put-parameter --region eu-west-2 --type SecureString --name /cruddur/test/CRUDDUR_T_X --value 'eu-west-2-value' --output text | Out-Null
        Set-Content t.env.erb "X=<%= ENV['CRUDDUR_T_X'] %>"
        # The environment's region wins over the profile's ...
        New-CruddurEnvFile ./t.env.erb -ParameterPath /cruddur/test -ProfileName cruddur-test | Out-Null
        Get-Content ./t.env -Raw | Should -BeExactly "X=us-east-1-value`n"
        # ... and without one, the profile's region is used.
        Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION
        try {
            New-CruddurEnvFile ./t.env.erb -ParameterPath /cruddur/test -ProfileName cruddur-test | Out-Null
            Get-Content ./t.env -Raw | Should -BeExactly "X=eu-west-2-value`n"
        } finally { $env:AWS_REGION = $env:AWS_DEFAULT_REGION = 'us-east-1' }
    }
}
