#Requires -Version 7.4
# The local AWS-like stack that Cruddur's tests, `build.ps1 Demo` and the bench/ scripts run against:
# moto (AWS APIs), PostgreSQL 15, a private dockerd, a docker-registry that accepts moto's ECR credentials,
# and the project's ECS simulator. Everything binds to 127.0.0.1 on free ports and lives under one root directory.
# Start-CruddurStack is a dispatcher over one Start-Stack<Component> launcher each, then one readiness wait for all.

Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Components = 'Moto', 'Postgres', 'Docker', 'Registry', 'Ecs'
# moto's GetAuthorizationToken always hands out these; the registry must accept exactly them.
$script:EcrUser = 'AWS'
$script:EcrPassword = '123456789012-auth-token'
# What moto holds of AWS's managed IAM policies by default (Start-CruddurStack -IamManagedPolicies): the ones
# Initialize-CruddurInfrastructure attaches to the task role and the ECS infrastructure role, and the task execution role
# policy AWS documents for ECS.
$script:AwsManagedPolicies = 'CloudWatchFullAccess', 'AWSXRayDaemonWriteAccess', 'AmazonECSInfrastructureRolePolicyForLoadBalancers', 'AmazonECSTaskExecutionRolePolicy'
$script:Http = [System.Net.Http.HttpClient]::new()
$script:Http.Timeout = [System.Threading.Timeout]::InfiniteTimeSpan  # per request instead, see Invoke-HttpStatus
$script:Kill = (Get-Command kill -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source

function New-StackError([string]$Message, [string]$ErrorId, [object]$Target) {
    [System.Management.Automation.ErrorRecord]::new(
        [System.InvalidOperationException]::new($Message), $ErrorId,
        [System.Management.Automation.ErrorCategory]::NotSpecified, $Target)
}

function Get-FreeLoopbackPort {
    # Port 0 lets the kernel choose; the tiny window before the service binds it is accepted (a clash shows as a start failure).
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function New-Secret {
    [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(12)).ToLowerInvariant()
}

function Get-LogTail([string]$Path, [int]$Count = 20) {
    if (Test-Path -LiteralPath $Path) { (Get-Content -LiteralPath $Path -Tail $Count) -join "`n" } else { '(no log written)' }
}

function Start-StackProcess {
    param(
        [Parameter(Mandatory)] $Stack,
        [Parameter(Mandatory)] [string]$Name,
        [Parameter(Mandatory)] [string]$FilePath,
        [string[]]$ArgumentList = @(),
        [hashtable]$Environment = @{},
        [string]$RunAsUser
    )
    $log = Join-Path $Stack.Root "logs/$Name.log"
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $psi.WorkingDirectory = $Stack.Root
    $psi.UseShellExecute = $false
    # `exec` keeps a single PID through sh and setsid. setsid gives the service its own process group, so Ctrl+C in the
    # terminal does not reach it and stopping can sweep the whole group (postgres backends, dockerd's containerd).
    # Output goes straight to the log file: no pipe back to PowerShell that could block or outlive it.
    $psi.ArgumentList.Add('-c')
    $psi.ArgumentList.Add('exec setsid "$@" </dev/null >>"$CRUDDUR_STACK_LOG" 2>&1')
    $psi.ArgumentList.Add('sh')
    if ($RunAsUser) {
        # postgres refuses to run as root; setpriv execs (su/runuser would fork and hide the real PID).
        foreach ($a in 'setpriv', '--reuid', $RunAsUser, '--regid', $RunAsUser, '--init-groups') { $psi.ArgumentList.Add($a) }
    }
    $psi.ArgumentList.Add($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.Environment['CRUDDUR_STACK_LOG'] = $log
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }

    $process = [System.Diagnostics.Process]::Start($psi)
    $Stack.Processes[$Name] = $process
    $Stack.Pids[$Name] = $process.Id
    $Stack.Logs[$Name] = $log
    # The watchdog reads this file to clean up if this PowerShell process dies without Stop-CruddurStack (it must not list itself).
    if ($Name -ne 'watchdog') { Add-Content -LiteralPath (Join-Path $Stack.Root 'pids') -Value $process.Id }
    $process
}

function Stop-StackProcess([System.Diagnostics.Process]$Process, [string]$Signal = 'TERM', [int]$TimeoutSeconds = 20) {
    if (-not $Process) { return }
    if (-not $Process.HasExited) {
        & $script:Kill -s $Signal -- "$($Process.Id)" 2>$null
        if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
            & $script:Kill -s KILL -- "$($Process.Id)" 2>$null
            $null = $Process.WaitForExit(5000)
        }
    }
    # Anything left in the service's process group (its children) goes too.
    & $script:Kill -s KILL -- "-$($Process.Id)" 2>$null
    $global:LASTEXITCODE = 0
}

function Invoke-HttpStatus([string]$Method, [string]$Url, [double]$TimeoutSeconds = 2) {
    # Readiness probes want a short timeout; a moto reset reloads the managed IAM policies and can take seconds on a busy machine.
    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), $Url)
    $cts = [System.Threading.CancellationTokenSource]::new([TimeSpan]::FromSeconds($TimeoutSeconds))
    try {
        $response = $script:Http.Send($request, $cts.Token)
        try { [int]$response.StatusCode } finally { $response.Dispose() }
    } finally { $request.Dispose(); $cts.Dispose() }
}

function Test-UnixSocketPing([string]$SocketPath) {
    # dockerd's API is only on a unix socket; HttpClient needs a custom connect callback for that, a raw HTTP/1.0 request does not.
    if (-not (Test-Path -LiteralPath $SocketPath)) { return $false }
    $socket = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix,
        [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
    try {
        $socket.ReceiveTimeout = 2000
        $socket.Connect([System.Net.Sockets.UnixDomainSocketEndPoint]::new($SocketPath))
        $null = $socket.Send([Text.Encoding]::ASCII.GetBytes("GET /_ping HTTP/1.0`r`nHost: docker`r`n`r`n"))
        $buffer = [byte[]]::new(256)
        $n = $socket.Receive($buffer)
        [Text.Encoding]::ASCII.GetString($buffer, 0, $n) -match '^HTTP/1\.[01] 200'
    } catch { $false } finally { $socket.Dispose() }
}

function Get-PostgresBinDir {
    $initdb = Get-Command initdb -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($initdb) { return Split-Path ((& readlink -f $initdb.Source)) }
    foreach ($dir in (Get-ChildItem /usr/lib/postgresql/*/bin -Directory -ErrorAction SilentlyContinue | Sort-Object FullName -Descending)) {
        if (Test-Path (Join-Path $dir.FullName initdb)) { return $dir.FullName }
    }
    throw (New-StackError 'PostgreSQL server binaries (initdb) not found: run .ci/install-deps.sh.' 'CruddurStackPostgresMissing' 'Postgres')
}

function Get-PostgresTemplate([string]$BinDir, [string]$RunAsUser) {
    # initdb is the slow part of a PostgreSQL start, so one initialised data dir per machine and version is kept and copied.
    # No password is set in the template: each stack gets its own (see Start-CruddurStack).
    $version = ((& (Join-Path $BinDir postgres) --version) -split ' ')[2]
    $template = Join-Path ([IO.Path]::GetTempPath()) "cruddur-pg-template-$version"
    if (Test-Path -LiteralPath (Join-Path $template 'PG_VERSION')) { return $template }

    $staging = "$template.tmp-$PID"
    $null = New-Item -ItemType Directory -Path $staging -Force
    if ($RunAsUser) { & chown $RunAsUser $staging }
    & chmod 700 $staging
    $initArgs = @((Join-Path $BinDir initdb), '-D', $staging, '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8',
        '--auth-local=trust', '--auth-host=scram-sha-256', '-N')
    $output = if ($RunAsUser) {
        & setpriv --reuid $RunAsUser --regid $RunAsUser --init-groups @initArgs 2>&1
    } else { & $initArgs[0] @($initArgs | Select-Object -Skip 1) 2>&1 }
    if ($LASTEXITCODE -ne 0) {
        & rm -rf $staging
        throw (New-StackError "initdb failed: $($output -join "`n")" 'CruddurStackInitdbFailed' 'Postgres')
    }
    # Rename is atomic; if another process won the race, its template is as good as ours.
    try { [IO.Directory]::Move($staging, $template) } catch { & rm -rf $staging }
    $template
}

function Test-StackComponentReady($stack, [string]$name) {
    switch ($name) {
        'Moto' { (Invoke-HttpStatus GET "$($stack.MotoUrl)/moto-api/") -eq 200 }
        'Postgres' {
            & (Join-Path $stack.PostgresBinDir pg_isready) -q -h $stack.PostgresSocketDir -p $stack.PostgresPort -U postgres
            $LASTEXITCODE -eq 0
        }
        'Docker' { Test-UnixSocketPing ($stack.DockerHost -replace '^unix://') }
        # 401 proves the registry is up and enforcing htpasswd auth.
        'Registry' { (Invoke-HttpStatus GET "http://$($stack.RegistryHost)/v2/") -eq 401 }
        'Ecs' { (Invoke-HttpStatus GET "$($stack.EcsUrl)/_sim/health") -eq 200 }
    }
}

function Invoke-StackPsql($stack, [string]$Sql) {
    # Over the private unix socket, where the template trusts local connections; TCP needs the password.
    $out = & (Join-Path $stack.PostgresBinDir psql) -X -q -At -h $stack.PostgresSocketDir -p $stack.PostgresPort -U postgres -d postgres `
        -v ON_ERROR_STOP=1 -c $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "psql failed: $($out -join "`n")" }
    $out
}

function Set-StackPostgresPassword($stack) {
    # A per-stack password, so a test that connects with a wrong one really fails.
    $password = New-Secret
    $null = Invoke-StackPsql $stack "ALTER USER postgres PASSWORD '$password'"
    $stack.PostgresPassword = $password
    $stack.PostgresUrl = "postgresql://postgres:$password@127.0.0.1:$($stack.PostgresPort)/postgres"
}

function Get-PostgresDataDir([string]$Root) {
    # On tmpfs when there is one: copying the 40 MB template to disk took 0.4-3 s on a machine busy with builds, to
    # /dev/shm 0.1-0.2 s. The data is throwaway; the server log stays under the root.
    $shm = '/dev/shm'
    if ([IO.Directory]::Exists($shm)) {
        & test -w $shm
        if ($LASTEXITCODE -eq 0) { return Join-Path $shm ("cruddur-pg-" + (Split-Path $Root -Leaf) + '-' + (New-Secret).Substring(0, 6)) }
    }
    Join-Path $Root 'postgres/data'
}

function Write-StackFile([string]$Path, [string]$Content) {
    $null = New-Item -ItemType Directory -Path (Split-Path $Path) -Force
    [IO.File]::WriteAllText($Path, $Content)
}

function Get-DefaultEcsSimulatorPath {
    if ($env:CRUDDUR_ECS_SIMULATOR) { return $env:CRUDDUR_ECS_SIMULATOR }
    Join-Path $script:RepoRoot 'out/ecs-simulator/Cruddur.EcsSimulator.dll'
}

function New-StackObject([string]$Root, [string[]]$Component, [bool]$OwnsRoot) {
    [pscustomobject]@{
        PSTypeName       = 'Cruddur.TestStack'
        Root             = $Root
        Components       = @($script:Components | Where-Object { $_ -in $Component })
        MotoUrl          = $null
        EcsUrl           = $null
        EcsTimeScale     = $null
        PostgresPort     = $null
        PostgresUrl      = $null
        PostgresPassword = $null
        PostgresSocketDir = $null
        PostgresBinDir   = $null
        PostgresDataDir  = $null
        DockerHost       = $null
        DockerConfig     = $null
        RegistryHost     = $null
        RegistryUser     = $script:EcrUser
        RegistryPassword = $script:EcrPassword
        Env              = [ordered]@{}
        Pids             = [ordered]@{}
        Logs             = [ordered]@{}
        StartupSeconds   = [ordered]@{}
        Processes        = @{}
        Failed           = $false
        Stopped          = $false
        OwnsRoot         = $OwnsRoot
        WatchdogPid      = $null
    }
}

# One launcher per component: each starts its process (not waiting for it) and records where it listens on the stack.

function Start-StackMoto($stack, [double]$AcmValidationSeconds, [string[]]$IamManagedPolicies) {
    $port = Get-FreeLoopbackPort
    $moto = Get-Command moto_server -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $moto) { throw 'moto_server is not on PATH (it comes with the machine''s Python; see .ci/install-deps.sh).' }
    $motoPath = $moto.Source
    # The pyenv shim costs a bash + pyenv start; the real script path does not.
    if (Get-Command pyenv -ErrorAction SilentlyContinue) {
        $real = & pyenv which moto_server 2>$null
        if ($LASTEXITCODE -eq 0 -and $real) { $motoPath = $real }
    }
    # moto_server is a Python console script: its first line names the Python that has moto, which runs our launcher.
    $python = (Get-Content -LiteralPath $motoPath -TotalCount 1) -replace '^#!\s*', ''
    if ($python -match '^/usr/bin/env\s+(\S+)$') { $python = (Get-Command $Matches[1] -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source }
    if (-not (Test-Path -LiteralPath $python -PathType Leaf)) { throw "moto_server at $motoPath does not start with the path of its Python (#!...)." }
    $null = Start-StackProcess -Stack $stack -Name Moto -FilePath $python -ArgumentList (Join-Path $PSScriptRoot 'moto-server.py'), '-H', '127.0.0.1', '-p', "$port" `
        -Environment @{
            MOTO_IAM_LOAD_MANAGED_POLICIES = ($IamManagedPolicies.Count -gt 0).ToString().ToLowerInvariant()
            CRUDDUR_MOTO_AWS_MANAGED_POLICIES = $IamManagedPolicies -join ','
            MOTO_ACM_VALIDATION_WAIT = $AcmValidationSeconds.ToString([cultureinfo]::InvariantCulture)
            # Nothing here launches EC2 instances: no need for moto's 1,175 sample AMIs, built again per region after each reset.
            MOTO_EC2_LOAD_DEFAULT_AMIS = 'false'
        }
    $stack.MotoUrl = "http://127.0.0.1:$port"
}

function Start-StackPostgres($stack) {
    $root = $stack.Root
    $bin = Get-PostgresBinDir
    $user = if ((& id -u) -eq '0') { 'postgres' } else { $null }
    $template = Get-PostgresTemplate -BinDir $bin -RunAsUser $user
    $pgDir = Join-Path $root 'postgres'
    $sock = Join-Path $pgDir 'run'
    $null = New-Item -ItemType Directory -Path $sock -Force
    $data = Get-PostgresDataDir $root
    # Recorded first so that Stop-CruddurStack and the watchdog remove it even if the copy fails half-way.
    $stack.PostgresDataDir = $data
    if (-not $data.StartsWith("$root/")) { Add-Content -LiteralPath (Join-Path $root 'volatile') -Value $data }
    # As root, cp -a keeps the template's postgres ownership; only the new directories need chown.
    & cp -a $template $data
    if ($LASTEXITCODE -ne 0) { throw "copying the PostgreSQL template $template to $data failed" }
    if ($user) { & chown "${user}:" $pgDir $sock }
    $port = Get-FreeLoopbackPort
    # Durability is worthless for throwaway test data and costs time on every commit.
    $null = Start-StackProcess -Stack $stack -Name Postgres -FilePath (Join-Path $bin postgres) -RunAsUser $user -ArgumentList @(
        '-D', $data, '-p', "$port", '-h', '127.0.0.1', '-k', $sock,
        '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off')
    $stack.PostgresPort = $port
    $stack.PostgresSocketDir = $sock
    $stack.PostgresBinDir = $bin
}

function Start-StackDocker($stack) {
    $d = Join-Path $stack.Root 'docker'
    $null = New-Item -ItemType Directory -Path $d -Force
    # A private daemon.json keeps the machine's /etc/docker config out of the test daemon.
    Write-StackFile (Join-Path $d 'daemon.json') '{}'
    $socket = Join-Path $d 'docker.sock'
    # vfs: no overlay mounts needed; no bridge/iptables: nothing outside this machine's loopback is touched.
    $null = Start-StackProcess -Stack $stack -Name Docker -FilePath dockerd -ArgumentList @(
        '--config-file', (Join-Path $d 'daemon.json'),
        '--data-root', (Join-Path $d 'data'), '--exec-root', (Join-Path $d 'exec'),
        '--pidfile', (Join-Path $d 'dockerd.pid'), '-H', "unix://$socket",
        '--storage-driver', 'vfs', '--iptables=false', '--ip6tables=false', '--ip-forward=false',
        '--ip-masq=false', '--bridge=none')
    $stack.DockerHost = "unix://$socket"
}

function Start-StackRegistry($stack) {
    $r = Join-Path $stack.Root 'registry'
    $null = New-Item -ItemType Directory -Path (Join-Path $r 'storage') -Force
    $htpasswd = (& htpasswd -Bbn $script:EcrUser $script:EcrPassword) -join "`n"
    if ($LASTEXITCODE -ne 0 -or -not $htpasswd) { throw 'htpasswd failed (apache2-utils missing? run .ci/install-deps.sh)' }
    Write-StackFile (Join-Path $r 'htpasswd') "$htpasswd`n"
    $port = Get-FreeLoopbackPort
    Write-StackFile (Join-Path $r 'config.yml') @"
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $(Join-Path $r 'storage')
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: $(New-Secret)
auth:
  htpasswd:
    realm: cruddur-test-registry
    path: $(Join-Path $r 'htpasswd')
"@
    $null = Start-StackProcess -Stack $stack -Name Registry -FilePath docker-registry -ArgumentList 'serve', (Join-Path $r 'config.yml')
    $stack.RegistryHost = "127.0.0.1:$port"
}

function Start-StackEcs($stack, [string]$SimulatorPath, [double]$TimeScale, [bool]$Quotas) {
    if (-not (Test-Path -LiteralPath $SimulatorPath)) {
        throw "ECS simulator not found at $SimulatorPath (build it: dotnet build tests/Cruddur.EcsSimulator -o out/ecs-simulator)."
    }
    $port = Get-FreeLoopbackPort
    $scale = $TimeScale.ToString([cultureinfo]::InvariantCulture)
    # Components start in $script:Components order, so moto's URL is known: the simulator writes container output there.
    # With moto the simulator is also the ELBv2 endpoint: it answers DescribeTargetHealth for its services' target groups
    # (moto calls every target healthy) and passes the rest to moto, where it registers its tasks.
    # It also asks moto what ECS looks up when it launches a task (execution role, secrets' SSM parameters, ECR images).
    $moto = if ($stack.MotoUrl) { '--logs-endpoint-url', $stack.MotoUrl, '--elbv2-upstream', $stack.MotoUrl, '--aws-upstream', $stack.MotoUrl } else { @() }
    # With -EcsQuotas the simulator meters its API with ECS's token buckets (refill on its clock) and throttles as ECS does.
    $quota = if ($Quotas) { '--ecs-quotas', 'true' } else { @() }
    $null = Start-StackProcess -Stack $stack -Name Ecs -FilePath dotnet -ArgumentList (@(
        $SimulatorPath, '--urls', "http://127.0.0.1:$port", '--time-scale', $scale) + $moto + $quota) `
        -Environment @{ DOTNET_CLI_TELEMETRY_OPTOUT = '1'; DOTNET_NOLOGO = '1' }
    $stack.EcsUrl = "http://127.0.0.1:$port"
    $stack.EcsTimeScale = $TimeScale
}

function Wait-StackReady($stack, [System.Collections.Specialized.OrderedDictionary]$Pending, [System.Diagnostics.Stopwatch]$Clock,
    [double]$TimeoutSeconds, [ref]$Current) {
    # $Pending: component -> clock seconds when its launch began. All are polled together: start-up costs the slowest, not the sum.
    $deadline = $Clock.Elapsed.TotalSeconds + $TimeoutSeconds
    while ($Pending.Count -gt 0) {
        foreach ($name in @($Pending.Keys)) {
            $Current.Value = $name
            $process = $stack.Processes[$name]
            $ready = $false
            try { $ready = Test-StackComponentReady $stack $name } catch { $ready = $false }
            if ($ready) {
                if ($name -eq 'Postgres') { Set-StackPostgresPassword $stack }
                $stack.StartupSeconds[$name] = [math]::Round($Clock.Elapsed.TotalSeconds - $Pending[$name], 2)
                $Pending.Remove($name)
            } elseif ($process.HasExited) {
                throw "exited with code $($process.ExitCode) before it was ready"
            } elseif ($Clock.Elapsed.TotalSeconds -gt $deadline) {
                throw "not ready after $TimeoutSeconds s"
            }
        }
        if ($Pending.Count -gt 0) { Start-Sleep -Milliseconds 50 }
    }
    $Current.Value = $null
}

function Start-CruddurStack {
    <#
    .SYNOPSIS
    Starts the named parts of the local test stack on free 127.0.0.1 ports under one root directory.
    .OUTPUTS
    A Cruddur.TestStack object; pass it to Set-CruddurStackEnvironment, Reset-CruddurStack and Stop-CruddurStack.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateSet('Moto', 'Postgres', 'Docker', 'Registry', 'Ecs')]
        [string[]]$Component,
        # Directory for all state and logs; a new temp directory when omitted (only that one is deleted on stop).
        [string]$Root,
        # Simulated seconds per real second divisor passed to the ECS simulator (--time-scale).
        [double]$EcsTimeScale = 0.02,
        # The simulator enforces ECS's API quotas (token buckets refilled on its clock; ThrottlingException as ECS sends it).
        [switch]$EcsQuotas,
        # Seconds moto keeps a DNS-validated ACM certificate PENDING_VALIDATION before it is ISSUED (moto's default: 60).
        [double]$AcmValidationSeconds = 60,
        # The AWS managed IAM policies (arn:aws:iam::aws:policy/...) moto holds, by name; '*' for all of moto's 1,485 and
        # none for an empty list. By default the ones the module attaches or reads. Moto builds every policy it holds again
        # after each reset (all of them: 0.5-1 s of CPU a test); attaching one it does not hold fails with NoSuchEntity.
        [string[]]$IamManagedPolicies = $script:AwsManagedPolicies,
        # Default: $env:CRUDDUR_ECS_SIMULATOR if set, else what build.ps1 publishes to out/ecs-simulator.
        [string]$EcsSimulatorPath = (Get-DefaultEcsSimulatorPath),
        # Also prepare podman/buildah (vfs storage, auth file, insecure registry) under the root; adds their env vars to Env.
        [switch]$Podman,
        [double]$TimeoutSeconds = 60
    )
    $ownsRoot = -not $Root
    if ($ownsRoot) { $Root = Join-Path ([IO.Path]::GetTempPath()) ('cruddur-stack-' + (New-Secret).Substring(0, 8)) }
    $null = New-Item -ItemType Directory -Path (Join-Path $Root 'logs') -Force
    $Root = (Resolve-Path -LiteralPath $Root).Path
    # postgres runs as its own user and must traverse the root to reach its data directory.
    & chmod 755 $Root
    $stack = New-StackObject -Root $Root -Component $Component -OwnsRoot $ownsRoot

    # Safety net: if this PowerShell process dies without Stop-CruddurStack, the watchdog stops the services.
    $watchdog = Start-StackProcess -Stack $stack -Name watchdog -FilePath /bin/sh `
        -ArgumentList (Join-Path $PSScriptRoot 'watchdog.sh'), "$PID", (Join-Path $Root 'pids')
    $stack.WatchdogPid = $watchdog.Id
    $stack.Pids.Remove('watchdog'); $stack.Processes.Remove('watchdog')

    $pending = [ordered]@{}
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $current = $null
    $started = $false
    try {
        # Launch everything first, then poll all of them together.
        foreach ($name in $stack.Components) {
            $current = $name
            $pending[$name] = $clock.Elapsed.TotalSeconds
            if ($name -eq 'Ecs') { Start-StackEcs $stack -SimulatorPath $EcsSimulatorPath -TimeScale $EcsTimeScale -Quotas $EcsQuotas.IsPresent }
            elseif ($name -eq 'Moto') { Start-StackMoto $stack -AcmValidationSeconds $AcmValidationSeconds -IamManagedPolicies $IamManagedPolicies }
            else { & "Start-Stack$name" $stack }
        }
        Wait-StackReady $stack -Pending $pending -Clock $clock -TimeoutSeconds $TimeoutSeconds -Current ([ref]$current)
        if ($Podman) { $current = 'Podman'; Initialize-StackPodman $stack; $current = $null }
        $started = $true
    } catch {
        $stack.Failed = $true
        $log = if ($current -and $stack.Logs.Contains($current)) { $stack.Logs[$current] } else { $null }
        $message = "Cruddur test stack: $current failed to start: $($_.Exception.Message)"
        if ($log) { $message += "`nLog: $log`n--- last lines ---`n$(Get-LogTail $log)" }
        Stop-CruddurStack $stack -KeepLogs -Quiet
        $message += "`nAll logs kept under $Root"
        throw (New-StackError $message "CruddurStack${current}StartFailed" $current)
    } finally {
        # Ctrl+C is not caught above but still runs this: nothing half-started may stay behind.
        if (-not $started -and -not $stack.Failed) { Stop-CruddurStack $stack -KeepLogs -Quiet }
    }

    $stack.Env = Get-StackEnvironment $stack
    $stack
}

function Initialize-StackPodman($stack) {
    if (-not (Get-Command podman -CommandType Application -ErrorAction SilentlyContinue)) {
        throw 'podman is not installed (apt-get install podman; .ci/install-deps.sh tries it).'
    }
    $p = Join-Path $stack.Root 'podman'
    Write-StackFile (Join-Path $p 'storage.conf') @"
[storage]
driver = "vfs"
runroot = "$(Join-Path $p 'run')"
graphroot = "$(Join-Path $p 'storage')"
"@
    # No systemd here: cgroupfs and file events; a private tmp_dir keeps concurrent stacks apart.
    Write-StackFile (Join-Path $p 'containers.conf') @"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$(Join-Path $p 'events.log')"
tmp_dir = "$(Join-Path $p 'tmp')"
"@
    $registries = "unqualified-search-registries = []`n"
    if ($stack.RegistryHost) { $registries += "`n[[registry]]`nlocation = `"$($stack.RegistryHost)`"`ninsecure = true`n" }
    Write-StackFile (Join-Path $p 'registries.conf') $registries
    Write-StackFile (Join-Path $p 'auth.json') '{"auths":{}}'
    $stack | Add-Member -NotePropertyName PodmanRoot -NotePropertyValue $p
}

function Get-StackEnvironment($stack) {
    # Values of $null mean "remove this variable".
    $envVars = [ordered]@{
        AWS_ACCESS_KEY_ID            = 'testing'
        AWS_SECRET_ACCESS_KEY        = 'testing'
        AWS_REGION                   = 'us-east-1'
        AWS_DEFAULT_REGION           = 'us-east-1'
        AWS_PROFILE                  = $null
        AWS_SESSION_TOKEN            = $null
        # A developer's ~/.aws files must not leak profiles or endpoints into tests.
        AWS_CONFIG_FILE              = (Join-Path $stack.Root 'aws/config')
        AWS_SHARED_CREDENTIALS_FILE  = (Join-Path $stack.Root 'aws/credentials')
        # Never let an SDK fall back to the instance metadata address (not loopback, and slow to time out).
        AWS_EC2_METADATA_DISABLED    = 'true'
    }
    if ($stack.MotoUrl) { $envVars.AWS_ENDPOINT_URL = $stack.MotoUrl }
    if ($stack.EcsUrl) {
        $envVars.AWS_ENDPOINT_URL_ECS = $stack.EcsUrl
        # The module paces its ECS calls to ECS's quotas; on the simulator's clock they refill 1/time-scale times faster.
        $envVars.CRUDDUR_ECS_QUOTA_SCALE = (1 / $stack.EcsTimeScale).ToString([cultureinfo]::InvariantCulture)
    }
    if ($stack.EcsUrl -and $stack.MotoUrl) { $envVars.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 = $stack.EcsUrl }
    if ($stack.DockerHost -or $stack.RegistryHost) {
        $cfg = Join-Path $stack.Root 'docker-config'
        if (-not (Test-Path (Join-Path $cfg 'config.json'))) { Write-StackFile (Join-Path $cfg 'config.json') '{"auths":{}}' }
        $stack.DockerConfig = $cfg
        $envVars.DOCKER_CONFIG = $cfg
    }
    if ($stack.DockerHost) { $envVars.DOCKER_HOST = $stack.DockerHost }
    if ($stack.PSObject.Properties['PodmanRoot']) {
        $p = $stack.PodmanRoot
        # crun cannot handle this machine's hybrid cgroups; chroot isolation needs none.
        $envVars.BUILDAH_ISOLATION = 'chroot'
        $envVars.CONTAINERS_STORAGE_CONF = Join-Path $p 'storage.conf'
        $envVars.CONTAINERS_CONF = Join-Path $p 'containers.conf'
        $envVars.CONTAINERS_REGISTRIES_CONF = Join-Path $p 'registries.conf'
        $envVars.REGISTRY_AUTH_FILE = Join-Path $p 'auth.json'
    }
    $envVars
}

function Set-StackVariable([string]$Name, $Value) {
    # Not [Environment]::SetEnvironmentVariable: PowerShell turns $null into '' for it, which leaves e.g. AWS_PROFILE= behind.
    if ($null -eq $Value) { Remove-Item -LiteralPath "Env:$Name" -ErrorAction SilentlyContinue }
    else { Set-Item -LiteralPath "Env:$Name" -Value $Value }
}

function Set-CruddurStackEnvironment {
    <#
    .SYNOPSIS
    Points AWS SDKs/CLI, docker and podman in this process at the stack. Returns the previous values for Restore-CruddurStackEnvironment.
    .DESCRIPTION
    Sets $Stack.Env: a $null value there means the variable is removed (AWS_PROFILE, AWS_SESSION_TOKEN).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [PSTypeName('Cruddur.TestStack')] $Stack)
    $previous = @{}
    foreach ($key in $Stack.Env.Keys) {
        $previous[$key] = [Environment]::GetEnvironmentVariable($key)
        Set-StackVariable $key $Stack.Env[$key]
    }
    $previous
}

function Restore-CruddurStackEnvironment {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [hashtable]$Previous)
    foreach ($key in $Previous.Keys) { Set-StackVariable $key $Previous[$key] }
}

function Reset-CruddurStack {
    <#
    .SYNOPSIS
    Empties moto and the ECS simulator and drops every database but the built-in ones, so tests start from a clean slate.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [PSTypeName('Cruddur.TestStack')] $Stack)
    if ($Stack.MotoUrl) {
        $status = Invoke-HttpStatus POST "$($Stack.MotoUrl)/moto-api/reset" -TimeoutSeconds 60
        if ($status -ne 200) { throw (New-StackError "moto reset answered HTTP $status" 'CruddurStackResetFailed' 'Moto') }
    }
    if ($Stack.EcsUrl) {
        $status = Invoke-HttpStatus POST "$($Stack.EcsUrl)/_sim/reset" -TimeoutSeconds 60
        if ($status -lt 200 -or $status -gt 299) { throw (New-StackError "ECS simulator reset answered HTTP $status" 'CruddurStackResetFailed' 'Ecs') }
    }
    if ($Stack.PostgresPort) {
        $dbs = Invoke-StackPsql $Stack "SELECT quote_ident(datname) FROM pg_database WHERE datname NOT IN ('postgres','template0','template1')"
        foreach ($db in $dbs) {
            try { $null = Invoke-StackPsql $Stack "DROP DATABASE $db WITH (FORCE)" }
            catch { throw (New-StackError "dropping $db failed: $($_.Exception.Message)" 'CruddurStackResetFailed' 'Postgres') }
        }
    }
}

function Stop-CruddurStack {
    <#
    .SYNOPSIS
    Stops every process of the stack by PID and deletes its root, unless -KeepLogs or a start failed (then says where the logs are).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [PSTypeName('Cruddur.TestStack')] $Stack,
        [switch]$KeepLogs,
        [switch]$Quiet
    )
    process {
        # Stopping twice must not signal PIDs that the system may have reused since.
        if ($Stack.Stopped) { return }
        $Stack.Stopped = $true
        # The watchdog goes first so it does not race us for the same PIDs.
        if ($Stack.WatchdogPid) {
            & $script:Kill -s KILL -- "$($Stack.WatchdogPid)" 2>$null
            $Stack.WatchdogPid = $null
        }
        # Clients before their dependencies; dockerd needs time to stop containerd and its containers.
        foreach ($name in 'Ecs', 'Moto', 'Registry', 'Docker', 'Postgres') {
            if (-not $Stack.Pids.Contains($name)) { continue }
            # A stack object handed over from elsewhere has PIDs but no Process objects.
            $process = $Stack.Processes[$name] ?? (Get-Process -Id $Stack.Pids[$name] -ErrorAction SilentlyContinue)
            $Stack.Processes.Remove($name)
            if (-not $process) { continue }
            # SIGINT is postgres' "fast" shutdown, what `pg_ctl stop -m fast` sends; it avoids running pg_ctl as the postgres user.
            $signal = if ($name -eq 'Postgres') { 'INT' } else { 'TERM' }
            Stop-StackProcess -Process $process -Signal $signal -TimeoutSeconds 30
        }
        # Anything still running with the root in its command line (e.g. a containerd-shim) was started by this stack.
        $left = & pgrep -f -- $Stack.Root
        foreach ($id in $left) { & $script:Kill -s KILL -- $id 2>$null }
        # The database lives outside the root (tmpfs, in memory): it goes even when the logs are kept.
        if ($Stack.PostgresDataDir -and -not $Stack.PostgresDataDir.StartsWith("$($Stack.Root)/")) { & rm -rf -- $Stack.PostgresDataDir }
        $global:LASTEXITCODE = 0

        if ($KeepLogs -or $Stack.Failed -or -not $Stack.OwnsRoot) {
            if (-not $Quiet -and ($KeepLogs -or $Stack.Failed)) { Write-Host "Cruddur test stack logs kept in $(Join-Path $Stack.Root 'logs')" }
            return
        }
        & rm -rf -- $Stack.Root
        if ($LASTEXITCODE -ne 0) { Write-Warning "Could not remove $($Stack.Root) completely." }
        $global:LASTEXITCODE = 0
    }
}

function Get-CruddurStackStartupTime {
    <#
    .SYNOPSIS
    Seconds from launch to first successful readiness probe, per component (Postgres includes the template copy and password).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [PSTypeName('Cruddur.TestStack')] $Stack)
    process {
        foreach ($name in $Stack.StartupSeconds.Keys) {
            [pscustomobject]@{ PSTypeName = 'Cruddur.TestStackStartup'; Component = $name; Seconds = $Stack.StartupSeconds[$name] }
        }
    }
}

Export-ModuleMember -Function Start-CruddurStack, Stop-CruddurStack, Reset-CruddurStack, Set-CruddurStackEnvironment,
    Restore-CruddurStackEnvironment, Get-CruddurStackStartupTime
