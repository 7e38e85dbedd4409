# The AWS parameters and session variables an AWS.Tools user brings: $StoredAWSRegion / $StoredAWSCredentials (what
# Set-DefaultAWSRegion / Set-AWSCredential leave), -AccessKey/-SecretKey/-Credential, a mistyped region, and no secret in any
# output. Which keys a call was signed with is read off the request itself, at a local endpoint that records it.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:modulePath = $env:CRUDDUR_MODULE_PATH

    # Runs $Script (with the module imported) in its own runspace against a local endpoint that answers every call with an
    # AccessDenied error, and returns the access key id and region the first call was signed with.
    function Get-SigningKey([scriptblock] $Script) {
        # HttpListener cannot take port 0: a random port another test's stack may hold already, so another one until it binds.
        for ($attempt = 1; ; $attempt++) {
            $listener = [System.Net.HttpListener]::new()
            $listener.Prefixes.Add("http://127.0.0.1:$(Get-Random -Minimum 20000 -Maximum 60000)/")
            try { $listener.Start(); break }
            catch [System.Net.HttpListenerException] { $listener.Close(); if ($attempt -ge 20) { throw } }
        }
        $ps = [powershell]::Create()
        try {
            $url = $listener.Prefixes | Select-Object -First 1
            $null = $ps.AddScript("Import-Module '$modulePath'; `$env:AWS_ACCESS_KEY_ID = 'AKIDENVIRONMENT'; `$env:AWS_SECRET_ACCESS_KEY = 'env-secret'; `$url = '$url'").AddScript($Script.ToString())
            $async = $ps.BeginInvoke()
            $context = $listener.GetContextAsync()
            if (-not $context.Wait(30000)) { throw "no AWS call reached the endpoint: $($ps.Streams.Error)" }
            $authorization = $context.Result.Request.Headers['Authorization']
            $userAgent = $context.Result.Request.Headers['User-Agent']
            $response = $context.Result.Response
            $response.StatusCode = 400
            $bytes = [Text.Encoding]::UTF8.GetBytes('{"__type":"AccessDeniedException","message":"recorded"}')
            $response.ContentType = 'application/x-amz-json-1.1'
            $response.OutputStream.Write($bytes, 0, $bytes.Length)
            $response.Close()
            $null = $async.AsyncWaitHandle.WaitOne(30000)
            if ($authorization -notmatch 'Credential=([^/]+)/\d+/([^/]+)/') { throw "no signature: $authorization" }
            [pscustomobject]@{ Key = $Matches[1]; Region = $Matches[2]; UserAgent = $userAgent; Verbose = @($ps.Streams.Verbose | ForEach-Object Message) }
        } finally {
            $ps.Dispose()
            $listener.Close()
        }
    }
}

Describe 'AWS.Tools habits' {
    It 'says in the User-Agent which module, PowerShell and OS call, as the AWS SDKs do, so CloudTrail can tell these calls apart' {
        $agent = (Get-SigningKey { Get-CruddurService -Region us-east-1 -EndpointUrl $url -ErrorAction SilentlyContinue }).UserAgent
        $version = [version](Import-PowerShellDataFile $modulePath).ModuleVersion
        $agent | Should -Match ('^Cruddur/{0} md/PowerShell#{1}-{2} os/\w+#\S+ lang/\.NET#\S+$' -f
            [regex]::Escape($version.ToString(3)), $PSVersionTable.PSEdition, [regex]::Escape("$($PSVersionTable.PSVersion)"))
    }

    It 'signs with $StoredAWSCredentials (Set-AWSCredential) over the environment' {
        Get-SigningKey {
            $StoredAWSCredentials = [pscredential]::new('AKIDSTORED', (ConvertTo-SecureString 'stored-secret' -AsPlainText -Force))
            Get-CruddurService -Region us-east-1 -EndpointUrl $url -ErrorAction SilentlyContinue
        } | ForEach-Object Key | Should -Be 'AKIDSTORED'
    }

    It 'signs with -Credential over $StoredAWSCredentials, and with -AccessKey/-SecretKey over both' {
        Get-SigningKey {
            $StoredAWSCredentials = [pscredential]::new('AKIDSTORED', (ConvertTo-SecureString 'stored-secret' -AsPlainText -Force))
            $given = [pscredential]::new('AKIDGIVEN', (ConvertTo-SecureString 'given-secret' -AsPlainText -Force))
            Get-CruddurService -Region us-east-1 -EndpointUrl $url -Credential $given -ErrorAction SilentlyContinue
        } | ForEach-Object Key | Should -Be 'AKIDGIVEN'
        Get-SigningKey {
            $given = [pscredential]::new('AKIDGIVEN', (ConvertTo-SecureString 'given-secret' -AsPlainText -Force))
            Get-CruddurService -Region us-east-1 -EndpointUrl $url -Credential $given -AccessKey AKIDLITERAL -SecretKey literal-secret -ErrorAction SilentlyContinue
        } | ForEach-Object Key | Should -Be 'AKIDLITERAL'
    }

    It 'calls the region in $StoredAWSRegion (Set-DefaultAWSRegion) over the environment, and -Region over both' {
        Get-SigningKey {
            $env:AWS_REGION = 'us-east-1'; $StoredAWSRegion = 'eu-west-2'
            Get-CruddurService -EndpointUrl $url -ErrorAction SilentlyContinue
        } | ForEach-Object Region | Should -Be 'eu-west-2'
        Get-SigningKey {
            $StoredAWSRegion = 'eu-west-2'
            Get-CruddurService -Region ca-central-1 -EndpointUrl $url -ErrorAction SilentlyContinue
        } | ForEach-Object Region | Should -Be 'ca-central-1'
    }

    It 'stops a mistyped region before any call, saying where it came from and what it is closest to' {
        $StoredAWSRegion = 'us-est-1'
        try {
            { Get-CruddurService -EndpointUrl http://127.0.0.1:9 -ErrorAction Stop } |
                Should -Throw -ErrorId 'AwsRegionUnknown,Cruddur.PowerShell.Commands.GetCruddurServiceCommand'
            $Error[0].Exception.Message | Should -Match "'us-est-1' \(from \`$StoredAWSRegion\) is not a region of any AWS partition; did you mean us-east-1\?"
        } finally { Remove-Variable StoredAWSRegion }
    }

    It 'refuses -AccessKey without -SecretKey' {
        { Get-CruddurService -Region us-east-1 -AccessKey AKIDLITERAL -ErrorAction Stop } |
            Should -Throw -ErrorId 'AwsCredentialsIncomplete,Cruddur.PowerShell.Commands.GetCruddurServiceCommand'
    }

    It 'never shows a secret key, whatever goes wrong' {
        $text = Get-AllStreamText { Get-CruddurService -Region us-east-1 -EndpointUrl http://127.0.0.1:9 -AccessKey AKIDLITERAL -SecretKey 'very-secret-key' -SessionToken 'very-secret-token' -ErrorAction Continue 2>&1 }
        $text | Should -Not -BeNullOrEmpty
        $text | Should -Not -Match 'very-secret'
    }

    It 'counts the AWS requests a command sent at its end, with -Verbose' {
        $verbose = Get-SigningKey { Get-CruddurService -Region us-east-1 -EndpointUrl $url -Verbose -ErrorAction SilentlyContinue } | ForEach-Object Verbose
        # The endpoint refuses the first call (AccessDenied is not retried): one request, named.
        $verbose[-1] | Should -Match '^AWS requests: 1 \(ECS \w+ 1\)$'
    }

    It 'refuses an ECS quota scale that is not a positive number, before any call' {
        $env:CRUDDUR_ECS_QUOTA_SCALE = 'fast'
        try {
            { Get-CruddurService -Region us-east-1 -EndpointUrl http://127.0.0.1:9 -ErrorAction Stop } |
                Should -Throw -ErrorId 'AwsQuotaScaleInvalid,Cruddur.PowerShell.Commands.GetCruddurServiceCommand'
            $Error[0].Exception.Message | Should -Match "CRUDDUR_ECS_QUOTA_SCALE is 'fast', but it must be a positive number"
        } finally { Remove-Item Env:CRUDDUR_ECS_QUOTA_SCALE }
    }
}
