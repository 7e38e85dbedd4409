# Set-CruddurIngressRule against moto's EC2, with a local stand-in for the checkip service (a static file served on loopback).
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:stack = Start-CruddurStack Moto
    $script:previousEnv = Set-CruddurStackEnvironment $stack

    $script:checkIpRoot = New-TestFolder checkip
    Set-Content (Join-Path $checkIpRoot 'ip') "198.51.100.23`n"
    Set-Content (Join-Path $checkIpRoot 'junk') "<html>not an address</html>`n"
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $psi = [System.Diagnostics.ProcessStartInfo]::new('python3')
    foreach ($a in '-m', 'http.server', "$port", '--bind', '127.0.0.1', '--directory', $checkIpRoot) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardError = $true; $psi.RedirectStandardOutput = $true
    $script:checkIp = [System.Diagnostics.Process]::Start($psi)
    $script:checkIpUrl = "http://127.0.0.1:$port/ip"
    Wait-Until { if ($checkIp.HasExited) { throw "the checkip stand-in exited: $($checkIp.StandardError.ReadToEnd())" }; try { (Invoke-WebRequest $checkIpUrl -TimeoutSec 2).StatusCode -eq 200 } catch { $false } } 'the checkip stand-in' -Seconds 90 | Out-Null

    function Get-Rules([string] $GroupId) {
        (Invoke-Aws ec2 describe-security-groups --group-ids $GroupId).SecurityGroups[0].IpPermissions |
            ForEach-Object { $p = $_; $p.IpRanges | ForEach-Object { "$($p.FromPort) $($_.CidrIp) $($_.Description)" } } | Sort-Object
    }
}

AfterAll {
    if ($checkIp -and -not $checkIp.HasExited) { $checkIp.Kill(); $checkIp.WaitForExit(5000) | Out-Null }
    Restore-CruddurStackEnvironment $previousEnv
    Stop-CruddurStack $stack
}

Describe 'Set-CruddurIngressRule' {
    BeforeEach {
        Reset-CruddurStack $stack
        $vpc = (Invoke-Aws ec2 describe-vpcs --filters 'Name=isDefault,Values=true').Vpcs[0].VpcId
        $script:group = (Invoke-Aws ec2 create-security-group --group-name crud-srv-rds-sg --description db --vpc-id $vpc).GroupId
        Invoke-Aws ec2 authorize-security-group-ingress --group-id $group --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=203.0.113.1/32,Description=GITPOD}]' | Out-Null
        Invoke-Aws ec2 authorize-security-group-ingress --group-id $group --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=10.0.0.0/8,Description=office}]' | Out-Null
    }

    It 'replaces the described rule with the caller''s IP from the checkip service, leaves the others, and a second run changes nothing' {
        $result = Set-CruddurIngressRule -GroupId $group -Port 5432 -Description GITPOD -CheckIpUrl $checkIpUrl

        $result.Status | Should -Be 'Updated'
        $result.Detail | Should -Be '203.0.113.1/32 -> 198.51.100.23/32'
        Get-Rules $group | Should -Be @('5432 10.0.0.0/8 office', '5432 198.51.100.23/32 GITPOD')

        (Set-CruddurIngressRule -GroupId $group -Port 5432 -Description GITPOD -CheckIpUrl $checkIpUrl).Status | Should -Be 'Exists'
        Get-Rules $group | Should -Be @('5432 10.0.0.0/8 office', '5432 198.51.100.23/32 GITPOD')
    }

    It 'finds the group by name, takes -Cidr, and creates the rule when none has the description' {
        $result = Set-CruddurIngressRule crud-srv-rds-sg -Port 443 -Description developer -Cidr 192.0.2.9/32

        $result.Status | Should -Be 'Created'
        Get-Rules $group | Should -Contain '443 192.0.2.9/32 developer'
    }

    It 'completes -GroupName and -GroupId from the region''s security groups, each with the other as its tooltip' {
        $line = 'Set-CruddurIngressRule -Port 5432 -GroupName crud-'
        $names = (TabExpansion2 $line $line.Length).CompletionMatches
        $names.CompletionText | Should -Be @('crud-srv-rds-sg')
        $names.ToolTip | Should -Be @($group)

        $line = 'Set-CruddurIngressRule -Port 5432 -GroupId '
        $ids = (TabExpansion2 $line $line.Length).CompletionMatches
        $ids.CompletionText | Should -Be @((Invoke-Aws ec2 describe-security-groups).SecurityGroups.GroupId | Sort-Object -CaseSensitive)
        ($ids | Where-Object CompletionText -EQ $group).ToolTip | Should -Be 'crud-srv-rds-sg'
    }

    It 'changes nothing under -WhatIf' {
        $before = Get-Rules $group
        Set-CruddurIngressRule -GroupId $group -Port 5432 -Description GITPOD -Cidr 192.0.2.9/32 -WhatIf | Should -BeNullOrEmpty
        Get-Rules $group | Should -Be $before
    }

    Context 'bad input changes nothing' {
        It '<Case>' -ForEach @(
            @{ Case = 'a CIDR that is not one'; Id = 'EdgeCidrInvalid'; Message = "*'192.0.2.300/32' is not an IPv4 CIDR*"; Arguments = @{ Description = 'GITPOD'; Cidr = '192.0.2.300/32' } }
            @{ Case = 'a security group that does not exist'; Id = 'EdgeSecurityGroupNotFound'; Message = '*no security group with the id sg-0000000000000000f*'; Arguments = @{ Description = 'GITPOD'; Cidr = '192.0.2.9/32'; GroupId = 'sg-0000000000000000f' } }
            @{ Case = 'a description two rules share'; Id = 'EdgeIngressRuleAmbiguous'; Message = "*2 rules of crud-srv-rds-sg*on tcp 5432 have the description 'shared'*"; Setup = {
                    Invoke-Aws ec2 authorize-security-group-ingress --group-id $group --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=192.0.2.1/32,Description=shared},{CidrIp=192.0.2.2/32,Description=shared}]' | Out-Null }
               Arguments = @{ Description = 'shared'; Cidr = '192.0.2.9/32' } }
            @{ Case = 'a checkip answer that is not an address'; Id = 'EdgeCallerIpUnavailable'; Message = '*did not answer with an IPv4 address*-Cidr*'; Arguments = @{ Description = 'GITPOD'; CheckIpPath = 'junk' } }
        ) {
            if ($Setup) { & $Setup }
            $before = Get-Rules $group
            # PowerShell names are case-insensitive: $Arguments is the -ForEach data, so the splat needs another name.
            $splat = @{ GroupId = $group; Port = 5432 }
            foreach ($key in $Arguments.Keys) { $splat[$key] = $Arguments[$key] }
            if ($splat.CheckIpPath) { $splat.CheckIpUrl = $checkIpUrl -replace '/ip$', "/$($splat.CheckIpPath)"; $splat.Remove('CheckIpPath') }
            { Set-CruddurIngressRule @splat -ErrorAction Stop } | Should -Throw -ErrorId "$Id,Cruddur.PowerShell.Commands.SetCruddurIngressRuleCommand" -ExpectedMessage $Message
            Get-Rules $group | Should -Be $before
        }
    }
}
