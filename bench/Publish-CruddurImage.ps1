#Requires -Version 7.4
<#
.SYNOPSIS
    Publish-CruddurImage versus the seed's plain docker build + docker tag + docker push of the same context.
.DESCRIPTION
    Against the local stack (moto's ECR, a private dockerd, a docker-registry). Each round changes one file of a small
    multi-stage FROM-scratch context, then runs the seed's three commands and Publish-CruddurImage, alternating which goes
    first. The seed logs in once beforehand (as after bin/ecr/login); Publish-CruddurImage pays for its own ECR calls,
    login and digest check every time (moto's tokens are expired on issue, so nothing is cached here).
    Prints the median of each, the ratio (goal <= 1.05), and the time of a second publish of an unchanged image.
.EXAMPLE
    dotnet pwsh bench/Publish-CruddurImage.ps1 -ModulePath out/Cruddur/0.1.0/Cruddur.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Rounds = 7
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')

function Invoke-Checked([scriptblock] $Command) {
    $out = & $Command 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Command failed: $($out -join "`n")" }
}

$stack = Start-CruddurStack Moto, Docker, Registry
$previous = Set-CruddurStackEnvironment $stack
$ctx = Join-Path $stack.Root 'bench-context'
try {
    $null = New-Item -ItemType Directory $ctx
    Copy-Item /bin/busybox (Join-Path $ctx busybox)
    Set-Content (Join-Path $ctx Dockerfile.prod) @'
FROM scratch AS build
ARG REACT_APP_BACKEND_URL
COPY busybox /bin/busybox
COPY stamp /stamp
RUN ["/bin/busybox", "sh", "-c", "echo $REACT_APP_BACKEND_URL > /url.txt"]
FROM scratch
COPY --from=build /bin/busybox /bin/busybox
COPY --from=build /stamp /url.txt /
'@
    $registry = $stack.RegistryHost
    $seedRef = "$registry/bench-seed:latest"
    aws ecr create-repository --repository-name bench-seed --image-tag-mutability MUTABLE --output text | Out-Null
    $stack.RegistryPassword | docker login --username AWS --password-stdin $registry 2>&1 | Out-Null

    $seed = {
        Invoke-Checked { docker build --build-arg REACT_APP_BACKEND_URL=https://api.example.com -t bench-seed -f (Join-Path $ctx Dockerfile.prod) $ctx }
        Invoke-Checked { docker tag bench-seed:latest $seedRef }
        Invoke-Checked { docker push $seedRef }
    }
    $ours = {
        $null = Publish-CruddurImage bench-ours -Path $ctx -Tag latest -RegistryHost $registry -BuildArgument @{ REACT_APP_BACKEND_URL = 'https://api.example.com' }
    }

    # One warm-up of each (first layer uploads, JIT), not measured.
    Set-Content (Join-Path $ctx stamp) ([guid]::NewGuid()); & $seed; & $ours
    $seedTimes = @(); $ourTimes = @()
    for ($i = 0; $i -lt $Rounds; $i++) {
        $pair = if ($i % 2) { @('ours', 'seed') } else { @('seed', 'ours') }
        foreach ($which in $pair) {
            Set-Content (Join-Path $ctx stamp) ([guid]::NewGuid())
            $sw = [Diagnostics.Stopwatch]::StartNew()
            if ($which -eq 'seed') { & $seed; $seedTimes += $sw.Elapsed.TotalSeconds } else { & $ours; $ourTimes += $sw.Elapsed.TotalSeconds }
        }
    }
    $median = { param($t) $s = @($t | Sort-Object); $s[[int][Math]::Floor($s.Count / 2)] }
    $seedMedian = & $median $seedTimes
    $ourMedian = & $median $ourTimes

    # Unchanged context: build cache hit, layers already in the registry.
    $unchanged = @()
    for ($i = 0; $i -lt 3; $i++) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $ours; $unchanged += $sw.Elapsed.TotalSeconds }

    [pscustomobject]@{
        Rounds                      = $Rounds
        SeedBuildTagPushSeconds     = [Math]::Round($seedMedian, 3)
        PublishCruddurImageSeconds  = [Math]::Round($ourMedian, 3)
        Ratio                       = [Math]::Round($ourMedian / $seedMedian, 3)
        Goal                        = '<= 1.05'
        UnchangedRepublishSeconds   = [Math]::Round((& $median $unchanged), 3)
    } | Format-List | Out-Host
} finally {
    Restore-CruddurStackEnvironment $previous
    Stop-CruddurStack $stack
}
