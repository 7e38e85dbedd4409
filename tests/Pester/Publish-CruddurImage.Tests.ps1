BeforeDiscovery {
    $script:hasPodman = [bool](Get-Command podman -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:hasPodman = [bool](Get-Command podman -CommandType Application -ErrorAction Ignore)
    $script:stack = Start-CruddurStack Moto, Docker, Registry -Podman:$hasPodman
    $script:previousEnv = Set-CruddurStackEnvironment $stack
    $script:registry = $stack.RegistryHost
    $script:token = $stack.RegistryPassword   # what moto's GetAuthorizationToken hands out
    $script:extraRegistries = @()

    # A multi-stage FROM-scratch build with a build argument baked into the image.
    function New-BuildContext([string] $Dockerfile = 'Dockerfile.prod') {
        $ctx = New-TestFolder
        Copy-Item /bin/busybox (Join-Path $ctx busybox)
        Set-Content (Join-Path $ctx $Dockerfile) @'
FROM scratch AS build
ARG REACT_APP_BACKEND_URL
ARG REACT_APP_CLIENT_ID=none
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "echo \"$REACT_APP_BACKEND_URL $REACT_APP_CLIENT_ID\" > /app.txt"]
FROM scratch
COPY --from=build /bin/busybox /bin/busybox
COPY --from=build /app.txt /app.txt
'@
        $ctx
    }

    # A stand-in for the engine that records every command line it is given, then runs the real one.
    function New-RecordingEngine([string] $Real = 'docker') {
        $dir = New-TestFolder
        $log = Join-Path $dir 'argv.log'
        $path = Join-Path $dir "$Real-recorder"
        Set-Content $path "#!/bin/sh`nprintf '%s\n' `"`$*`" >> '$log'`nexec $Real `"`$@`"`n"
        chmod +x $path
        [pscustomobject]@{ Path = $path; Log = $log }
    }

    # The registry's own answer for repository:tag, asked independently of the cmdlet.
    function Get-RegistryDigest([string] $Repository, [string] $Tag, [string] $RegistryHost = $registry) {
        $basic = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($stack.RegistryUser):$($stack.RegistryPassword)"))
        $accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
        $r = Invoke-WebRequest -Method Head "http://$RegistryHost/v2/$Repository/manifests/$Tag" -Headers @{ Authorization = "Basic $basic"; Accept = $accept } -SkipHttpErrorCheck
        if ($r.StatusCode -ne 200) { return $null }
        "$($r.Headers['Docker-Content-Digest'])"
    }

    function Get-EcrRepositoryNames { @(aws ecr describe-repositories --query 'repositories[].repositoryName' --output text) -split '\s+' | Where-Object { $_ } }

    # One more docker-registry with its own htpasswd; -ReadOnly refuses pushes after a good login.
    function Start-ExtraRegistry([string] $Password, [switch] $ReadOnly) {
        $dir = New-TestFolder
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $port = $listener.LocalEndpoint.Port; $listener.Stop()
        htpasswd -Bbn AWS $Password | Set-Content (Join-Path $dir htpasswd)
        $maintenance = if ($ReadOnly) { "  maintenance:`n    readonly:`n      enabled: true`n" } else { '' }
        Set-Content (Join-Path $dir cfg.yml) ("version: 0.1`nlog:`n  level: error`n  accesslog:`n    disabled: true`nstorage:`n  filesystem:`n    rootdirectory: $dir/data`n$maintenance" + "http:`n  addr: 127.0.0.1:$port`nauth:`n  htpasswd:`n    realm: test`n    path: $dir/htpasswd`n")
        $psi = [System.Diagnostics.ProcessStartInfo]::new('docker-registry')
        $psi.ArgumentList.Add('serve'); $psi.ArgumentList.Add("$dir/cfg.yml")
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        # docker-registry reads REGISTRY_* variables as configuration; podman's REGISTRY_AUTH_FILE (set by the stack) is not for it.
        foreach ($name in @($psi.Environment.Keys | Where-Object { $_ -like 'REGISTRY_*' })) { $psi.Environment.Remove($name) | Out-Null }
        $p = [System.Diagnostics.Process]::Start($psi)
        $script:extraRegistries += $p
        Wait-Until {
            if ($p.HasExited) { throw "registry on $port did not start: $($p.StandardError.ReadToEnd())" }
            try { $null = Invoke-WebRequest "http://127.0.0.1:$port/v2/" -SkipHttpErrorCheck; "127.0.0.1:$port" } catch { $null }
        } "the registry on port $port" 20
    }
}

AfterAll {
    foreach ($p in $extraRegistries) { Stop-Process -Id $p.Id -ErrorAction Ignore }
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Publish-CruddurImage' {
    BeforeEach {
        Reset-CruddurStack $stack
        $script:work = New-TestFolder
        Push-Location $work
    }
    AfterEach { Pop-Location }

    It 'builds with the env file''s declared ARGs only, creates the repository and returns the digest the registry holds' {
        $ctx = New-BuildContext
        Set-Content ./frontend-react-js.env.erb "REACT_APP_BACKEND_URL=https://api.example.com`nROLLBAR_ACCESS_TOKEN=rollbar-secret`n"
        $engine = New-RecordingEngine

        Move-Item $ctx ./frontend-react-js   # the seed's layout: the env file's name names the repository and the context

        $image = New-CruddurEnvFile ./frontend-react-js.env.erb | Publish-CruddurImage -RegistryHost $registry -Engine $engine.Path -Tag latest, v1

        $image | Should -HaveCount 1
        $image.GetType().FullName | Should -Be 'Cruddur.Core.Images.Image'
        $image.Repository | Should -Be 'frontend-react-js'
        $image.Registry | Should -Be $registry
        $image.Tags | Should -Be @('latest', 'v1')
        $image.Digest | Should -Match '^sha256:[0-9a-f]{64}$'
        $image.Digest | Should -Be (Get-RegistryDigest frontend-react-js latest)
        $image.Digest | Should -Be (Get-RegistryDigest frontend-react-js v1)
        $image.ImageUri | Should -Be "$registry/frontend-react-js@$($image.Digest)"
        docker run --rm --network none $image.ImageUri /bin/busybox cat /app.txt | Should -Be 'https://api.example.com none'
        $argv = Get-Content $engine.Log
        @($argv | Where-Object { $_ -like 'build *' })[0] | Should -Match '--build-arg REACT_APP_BACKEND_URL'
        $argv | Should -Not -Match 'ROLLBAR_ACCESS_TOKEN|rollbar-secret|https://api.example.com'
        $repo = (aws ecr describe-repositories --repository-names frontend-react-js --output json | ConvertFrom-Json).repositories[0]
        $repo.imageTagMutability | Should -Be 'MUTABLE'
        $repo.imageScanningConfiguration.scanOnPush | Should -BeTrue
    }

    It 'shows the build live by default as a progress bar of its newest line, in full with -Verbose, without docker''s deprecation notice' {
        $ctx = New-BuildContext
        $streams = foreach ($verbose in $false, $true) {
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$env:CRUDDUR_MODULE_PATH'; Publish-CruddurImage backend-flask -Path '$ctx' -RegistryHost '$registry' -Tag live -Verbose:`$$verbose")
            $null = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse -Because ($ps.Streams.Error -join "`n")
            $ps.Streams
            $ps.Dispose()
        }
        $quiet, $loud = $streams

        $bars = @($quiet.Progress | Where-Object Activity -EQ "Building $registry/backend-flask:live")
        $bars | Where-Object { $_.StatusDescription -match '^Step \d+/8 : ' -and $_.PercentComplete -gt 0 } | Should -Not -BeNullOrEmpty
        $bars[-1].RecordType | Should -Be 'Completed'
        $quiet.Verbose | Should -BeNullOrEmpty -Because 'the full log is for -Verbose'
        $quiet.Information | Should -BeNullOrEmpty -Because 'the build is not shown twice'
        $loud.Verbose.Message | Should -Contain 'Step 1/8 : FROM scratch AS build'
        $loud.Verbose.Message | Should -Contain "Successfully tagged $registry/backend-flask:live"
        (@($quiet.Progress.StatusDescription) + @($loud.Verbose.Message)) -join "`n" | Should -Not -Match 'DEPRECATED|legacy builder|buildx'
        @($quiet.Progress | Where-Object Activity -EQ "Pushing $registry/backend-flask:live" | Where-Object StatusDescription -Match 'layers: ') |
            Should -Not -BeNullOrEmpty -Because 'the push shows its newest line too'
    }

    It 'never shows the ECR token in any stream or on a child''s command line, and logs in with --password-stdin' {
        $ctx = New-BuildContext
        $engine = New-RecordingEngine
        $text = Get-AllStreamText { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -Engine $engine.Path -Tag t1 -Verbose }

        $text | Should -Match 'Successfully built'          # the build log reached the information stream
        $text | Should -Match 'backend-flask@sha256:'
        $text | Should -Not -Match ([regex]::Escape($token))
        $argv = Get-Content $engine.Log -Raw
        $argv | Should -Not -Match ([regex]::Escape($token))
        $argv | Should -Match "(?m)^login --username AWS --password-stdin -- $([regex]::Escape($registry))$"
        Get-Content (Join-Path $env:DOCKER_CONFIG config.json) -Raw | Should -Match ([regex]::Escape($registry))
    }

    It 'reuses an existing repository as it is, and takes the seed''s Dockerfile.prod from ./backend-flask by default' {
        aws ecr create-repository --repository-name backend-flask --image-tag-mutability IMMUTABLE --output text | Out-Null
        $ctx = New-BuildContext
        Move-Item $ctx ./backend-flask

        $image = Publish-CruddurImage backend-flask -RegistryHost $registry -Tag latest

        $image.Digest | Should -Be (Get-RegistryDigest backend-flask latest)
        (aws ecr describe-repositories --repository-names backend-flask --output json | ConvertFrom-Json).repositories[0].imageTagMutability | Should -Be 'IMMUTABLE'
        Get-EcrRepositoryNames | Should -Be @('backend-flask')
    }

    It 'tags latest and the short commit id in a git work tree, with -dirty when the tree has changes' {
        $ctx = New-BuildContext
        git -C $ctx init -q; git -C $ctx -c user.email=t@t -c user.name=t add -A; git -C $ctx -c user.email=t@t -c user.name=t commit -qm init
        $short = git -C $ctx rev-parse --short HEAD

        (Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry).Tags | Should -Be @('latest', $short)
        Add-Content (Join-Path $ctx Dockerfile.prod) '# changed'
        $dirty = Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry
        $dirty.Tags | Should -Be @('latest', "$short-dirty")
        Get-RegistryDigest backend-flask "$short-dirty" | Should -Be $dirty.Digest
    }

    It 'mirrors a local image without building (-Source), tagging the source''s tag and latest' {
        $ctx = New-BuildContext
        docker build -q -t cruddur-test-base:3.10-slim-buster -f (Join-Path $ctx Dockerfile.prod) $ctx | Out-Null
        $LASTEXITCODE | Should -Be 0

        $image = Publish-CruddurImage -Source cruddur-test-base:3.10-slim-buster -Repository cruddur-python -RegistryHost $registry

        $image.Tags | Should -Be @('3.10-slim-buster', 'latest')
        $image.Digest | Should -Be (Get-RegistryDigest cruddur-python 3.10-slim-buster)
        Get-RegistryDigest cruddur-python latest | Should -Be $image.Digest
    }

    It '-WhatIf says what would be created, built and pushed, and runs nothing that changes state' {
        $ctx = New-BuildContext
        $engine = New-RecordingEngine
        # What-if lines go to the host, which only a transcript sees.
        $transcript = Join-Path $work 'whatif.txt'
        Start-Transcript $transcript | Out-Null
        try { $result = Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -Engine $engine.Path -Tag w1 -WhatIf } finally { Stop-Transcript | Out-Null }
        $out = Get-Content $transcript -Raw

        $result | Should -BeNullOrEmpty

        $out | Should -Match 'Create ECR repository'
        $out | Should -Match "Build .*Dockerfile.prod and push it as w1.*$([regex]::Escape("$registry/backend-flask"))"
        Get-EcrRepositoryNames | Should -BeNullOrEmpty
        Test-Path $engine.Log | Should -BeFalse
        Get-RegistryDigest backend-flask w1 | Should -BeNullOrEmpty
    }

    Context 'bad input: a clear error and nothing changed' {
        It 'rejects a missing build context' {
            { Publish-CruddurImage backend-flask -Path ./nope -RegistryHost $registry -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageContextNotFound,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'rejects a missing Dockerfile' {
            $ctx = New-BuildContext
            { Publish-CruddurImage backend-flask -Path $ctx -Dockerfile Dockerfile.nope -RegistryHost $registry -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageDockerfileNotFound,Cruddur.PowerShell.Commands.PublishCruddurImageCommand' -ExpectedMessage '*Dockerfile.nope*'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'rejects a repository name ECR would reject, and a bad tag' {
            $ctx = New-BuildContext
            { Publish-CruddurImage Backend_Flask! -Path $ctx -RegistryHost $registry -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageRepositoryNameInvalid,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            { Publish-CruddurImage backend-flask -Path $ctx -Tag '-bad' -RegistryHost $registry -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageTagInvalid,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'reports a failed build with the last lines of its log, and creates no repository' {
            $ctx = New-BuildContext
            Add-Content (Join-Path $ctx Dockerfile.prod) 'RUN ["/bin/busybox", "sh", "-c", "echo cruddur-build-broke >&2; exit 3"]'
            { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -Tag x -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageBuildFailed,Cruddur.PowerShell.Commands.PublishCruddurImageCommand' -ExpectedMessage '*cruddur-build-broke*'
            $Error[0].Exception.Message | Should -Not -Match 'DEPRECATED|legacy builder|buildx' -Because 'docker''s notice says nothing about this build'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'reports a registry that refuses the login, before building' {
            $refusing = Start-ExtraRegistry -Password 'not-the-ecr-token'
            $ctx = New-BuildContext
            $engine = New-RecordingEngine
            { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $refusing -Engine $engine.Path -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageRegistryLoginFailed,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            Get-Content $engine.Log | Where-Object { $_ -like 'build *' } | Should -BeNullOrEmpty
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'says a registry that cannot be reached is unreachable, not that it refused the login' {
            $ctx = New-BuildContext
            { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost 127.0.0.1:1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageRegistryUnreachable,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            $Error[0].Exception.Message | Should -Match 'Could not reach the registry 127\.0\.0\.1:1'
            $Error[0].Exception.Message | Should -Not -Match 'refused the login'
        }

        It 'refuses a push the registry does not confirm because the tag moved meanwhile, and outputs no Image' {
            $ctx = New-BuildContext
            $other = New-BuildContext
            docker build -q -t cruddur-test-other:1 --build-arg REACT_APP_BACKEND_URL=someone-else -f (Join-Path $other Dockerfile.prod) $other | Out-Null
            $LASTEXITCODE | Should -Be 0
            # The real docker, and right after each push of ours a colleague's push of another image to the same tag.
            $racer = Join-Path (New-TestFolder) 'docker-racer'
            # The image reference is the last argument (after '--').
            Set-Content $racer ("#!/bin/sh`ndocker `"`$@`" || exit `$?`nfor ref; do :; done`n" +
                "if [ `"`$1`" = push ]; then docker tag cruddur-test-other:1 `"`$ref`" && docker push `"`$ref`" >/dev/null 2>&1 || exit 99; fi`n")
            chmod +x $racer

            $result = $null
            { $script:result = Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -Engine $racer -Tag r1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImagePushNotConfirmed,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'

            $script:result | Should -BeNullOrEmpty
            $moved = Get-RegistryDigest backend-flask r1
            $Error[0].Exception.Message | Should -Match "^The registry holds $moved for .*/backend-flask:r1, not the pushed sha256:[0-9a-f]{64}\."
            $Error[0].Exception.Message | Should -Not -Match "not the pushed $moved"
        }

        It 'reports a push the registry refuses and outputs no Image' {
            $readOnly = Start-ExtraRegistry -Password $token -ReadOnly
            $ctx = New-BuildContext
            $result = $null
            { $script:result = Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $readOnly -Tag r1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImagePushFailed,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            $script:result | Should -BeNullOrEmpty
            $out = Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $readOnly -Tag r1 -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
        }

        It 'reports a -Source image that is neither local nor pullable, and creates no repository' {
            { Publish-CruddurImage -Source "$registry/cruddur-no-such-image:1" -Repository cruddur-python -RegistryHost $registry -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageSourceNotFound,Cruddur.PowerShell.Commands.PublishCruddurImageCommand' -ExpectedMessage '*cruddur-no-such-image:1*'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'refuses -Source together with build parameters' {
            { Publish-CruddurImage -Source busybox:1 -Repository cruddur-python -Path . -RegistryHost $registry -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageSourceConflict,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'says which engine is missing' {
            $ctx = New-BuildContext
            { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -Engine /nonexistent/docker -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageEngineNotFound,Cruddur.PowerShell.Commands.PublishCruddurImageCommand' -ExpectedMessage '*/nonexistent/docker*-Engine podman*'
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'says the docker daemon is not running and how to start it' {
            $ctx = New-BuildContext
            $saved = $env:DOCKER_HOST
            try {
                $env:DOCKER_HOST = "unix://$work/no-docker.sock"
                { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -ErrorAction Stop } |
                    Should -Throw -ErrorId 'ImageEngineNotRunning,Cruddur.PowerShell.Commands.PublishCruddurImageCommand' -ExpectedMessage '*DOCKER_HOST*'
            } finally { $env:DOCKER_HOST = $saved }
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'needs a region' {
            $ctx = New-BuildContext
            $saved = $env:AWS_REGION, $env:AWS_DEFAULT_REGION
            try {
                Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION
                { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -ErrorAction Stop } |
                    Should -Throw -ErrorId 'AwsRegionNotSet,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            } finally { $env:AWS_REGION, $env:AWS_DEFAULT_REGION = $saved }
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }

        It 'needs credentials' {
            $ctx = New-BuildContext
            $saved = $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY
            try {
                Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY
                { Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -ErrorAction Stop } |
                    Should -Throw -ErrorId 'AwsCredentialsNotFound,Cruddur.PowerShell.Commands.PublishCruddurImageCommand'
            } finally { $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY = $saved }
            Get-EcrRepositoryNames | Should -BeNullOrEmpty
        }
    }

    Context 'podman' {
        BeforeAll {
            if (-not $hasPodman) { Write-Host 'SKIPPED podman tests: podman is not installed on this machine (apt-get install podman).' -ForegroundColor Yellow }
        }

        It 'publishes with podman: digest from --digestfile equals the registry''s, token never on a command line' -Skip:(-not $hasPodman) {
            $ctx = New-BuildContext
            $engine = New-RecordingEngine podman
            $text = Get-AllStreamText { $script:pimage = Publish-CruddurImage backend-flask -Path $ctx -RegistryHost $registry -Engine $engine.Path -Tag p1 -BuildArgument @{ REACT_APP_BACKEND_URL = 'x' } -Verbose; $script:pimage }

            $pimage.Digest | Should -Match '^sha256:[0-9a-f]{64}$'
            $pimage.Digest | Should -Be (Get-RegistryDigest backend-flask p1)
            $text | Should -Not -Match ([regex]::Escape($token))
            $argv = Get-Content $engine.Log -Raw
            $argv | Should -Not -Match ([regex]::Escape($token))
            $argv | Should -Match '(?m)^push --digestfile '
            $argv | Should -Match "(?m)^login --username AWS --password-stdin -- $([regex]::Escape($registry))$"
        }
    }
}
