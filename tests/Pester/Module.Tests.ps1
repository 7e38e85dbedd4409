# The module as a user gets it: manifest, exports, dependency isolation, packaging.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:manifest = $env:CRUDDUR_MODULE_PATH
}

Describe 'The Cruddur module' {
    It 'has a clean manifest with explicit exports that match the cmdlets' {
        $info = Test-ModuleManifest $manifest -ErrorAction Stop
        $data = Import-PowerShellDataFile $manifest

        $info.Version | Should -Not -Be ([version]'0.0.0')
        $data.CmdletsToExport | Should -Not -Contain '*'
        $data.FunctionsToExport | Should -BeNullOrEmpty
        $data.PowerShellVersion | Should -Be '7.4'
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PrivateData.PSData.Tags | Should -Contain 'ECS'
        $data.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        (Get-Command -Module Cruddur).Name | Sort-Object | Should -Be ($data.CmdletsToExport | Sort-Object)
    }

    It 'has a format view for every type its cmdlets output' {
        $formats = [xml](Get-Content (Join-Path (Split-Path $manifest) 'Cruddur.Format.ps1xml') -Raw)
        $viewed = $formats.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
        $outputs = Get-Command -Module Cruddur | ForEach-Object OutputType | ForEach-Object Name | Where-Object { $_ -like 'Cruddur.*' } | Sort-Object -Unique

        $outputs | Should -Not -BeNullOrEmpty
        foreach ($type in $outputs) { $viewed | Should -Contain $type -Because "$type is output by a cmdlet" }
    }

    It 'makes public in Cruddur.Core only the types the shell names' {
        # The shell names a core type when: the module's assembly refers to it in its metadata (a type it calls, constructs,
        # catches or passes, in any signature it uses); its C# names it for a constant (ErrorIds.X leaves only the literal
        # in the assembly); an interface it holds has it in a member's signature; it is a base of one of these; a cmdlet
        # outputs it or writes it as an error (CruddurException), or it is the type of a public property of one of those,
        # at any depth (users read them, views show them, Get-Member lists them); or a format view, a help page or a Pester
        # file spells its full name. Everything else stays internal; Core's only friend is Cruddur.Core.Tests.
        $shell = (Get-Command Invoke-CruddurTask).ImplementingType.Assembly
        $core = (Get-Command Invoke-CruddurTask).OutputType[0].Type.Assembly
        $stream = [IO.File]::OpenRead($shell.Location)
        try {
            $metadata = [Reflection.Metadata.PEReaderExtensions]::GetMetadataReader([Reflection.PortableExecutable.PEReader]::new($stream))
            $referenced = foreach ($handle in $metadata.TypeReferences) {
                $ref = $metadata.GetTypeReference($handle)
                $name = $metadata.GetString($ref.Name)
                while ($ref.ResolutionScope.Kind -eq 'TypeReference') {
                    $ref = $metadata.GetTypeReference([Reflection.Metadata.TypeReferenceHandle]$ref.ResolutionScope)
                    $name = $metadata.GetString($ref.Name) + '+' + $name
                }
                if ($ref.ResolutionScope.Kind -eq 'AssemblyReference' -and
                    $metadata.GetString($metadata.GetAssemblyReference([Reflection.Metadata.AssemblyReferenceHandle]$ref.ResolutionScope).Name) -eq 'Cruddur.Core') {
                    $metadata.GetString($ref.Namespace) + '.' + $name
                }
            }
        } finally { $stream.Dispose() }
        $bySimpleName = @{}
        $core.GetTypes() | Where-Object { -not $_.IsNested } | Group-Object Name | Where-Object Count -EQ 1 | ForEach-Object { $bySimpleName[$_.Name] = $_.Group[0].FullName }
        $code = (Get-ChildItem (Join-Path $RepoRoot 'src/Cruddur.PowerShell') -Recurse -Filter *.cs | Get-Content -Raw) -replace '(?m)//.*$' -join "`n"
        $constants = [regex]::Matches($code, '(?<![\w.])([A-Z]\w*)\.[A-Z]').ForEach({ $bySimpleName[$_.Groups[1].Value] })
        $spelled = Get-ChildItem (Join-Path (Split-Path $manifest) 'Cruddur.Format.ps1xml'), (Join-Path $RepoRoot 'docs'), (Join-Path $RepoRoot 'tests/Pester') -Recurse -File |
            ForEach-Object { [regex]::Matches((Get-Content $_ -Raw), 'Cruddur\.Core\.[\w.+]+').ForEach({ $_.Value.TrimEnd('.') }) }
        $shown = @((Get-Command -Module Cruddur).OutputType.Type) + $core.GetType('Cruddur.Core.Hosting.CruddurException', $true)

        $named = [Collections.Generic.HashSet[type]]::new()
        $read = [Collections.Generic.HashSet[type]]::new()
        $work = [Collections.Generic.Queue[type]]::new()
        $add = {
            param([type] $Type, [bool] $Shown)
            if ($Type.HasElementType) { & $add $Type.GetElementType() $Shown; return }
            if ($Type.IsGenericType) { foreach ($argument in $Type.GetGenericArguments()) { & $add $argument $Shown }; $Type = $Type.GetGenericTypeDefinition() }
            if ($Type.Assembly -ne $core) { return }
            if ($named.Add($Type) -or ($Shown -and -not $read.Contains($Type))) { $work.Enqueue($Type) }
            if ($Shown) { $null = $read.Add($Type) }
        }
        foreach ($name in @($referenced) + @($constants) + @($spelled) | Where-Object { $_ } | Sort-Object -Unique) {
            if ($type = $core.GetType($name, $false)) { & $add $type $false }
        }
        foreach ($type in $shown) { & $add $type $true }
        while ($work.Count) {
            $type = $work.Dequeue()
            if ($type.BaseType) { & $add $type.BaseType $read.Contains($type) }
            if ($type.IsNested) { & $add $type.DeclaringType $false }
            if ($read.Contains($type)) { foreach ($property in $type.GetProperties()) { & $add $property.PropertyType $true } }
            if ($type.IsInterface) {
                foreach ($method in $type.GetMethods()) { & $add $method.ReturnType $false; foreach ($p in $method.GetParameters()) { & $add $p.ParameterType $false } }
            }
        }

        @($referenced).Count | Should -BeGreaterThan 50 -Because 'the cmdlets call the core through many types'
        $named | Should -Contain ([type]$core.GetType('Cruddur.Core.Hosting.ErrorIds')) -Because 'the shell uses its constants'
        $core.GetExportedTypes().Where({ -not $named.Contains($_) }).FullName | Sort-Object | Should -BeNullOrEmpty -Because 'no part of the shell names them: make them internal'
        $core.GetCustomAttributes([Runtime.CompilerServices.InternalsVisibleToAttribute], $false).AssemblyName | Should -Be 'Cruddur.Core.Tests'
    }

    It 'names a parameter in a core message only with the cmdlet it belongs to' {
        # The core says what is wrong; the shell adds which of its parameters fix it (ErrorHint). A core text may still
        # suggest a whole command (Get-CruddurService -Cluster cruddur): then the parameter must be that cmdlet's, so a
        # renamed parameter fails here rather than leave a fix that does not work.
        $commands = @{}
        Get-Command -Module Cruddur | ForEach-Object { $commands[$_.Name] = @($_.Parameters.Keys) }
        $cited = foreach ($file in Get-ChildItem (Join-Path $RepoRoot 'src/Cruddur.Core') -Recurse -Filter *.cs) {
            $code = (Get-Content $file -Raw) -replace '(?m)^\s*//.*$'
            foreach ($literal in [regex]::Matches($code, '"(?:[^"\\]|\\.)*"').Value) {
                foreach ($sentence in $literal -split '(?<=[.;?!])\s') {
                    $cmdlet = $null
                    foreach ($token in [regex]::Matches($sentence, '\b[A-Z][a-z]+-Cruddur[A-Za-z]+\b|(?<![\w-])-([A-Z][A-Za-z]+)\b')) {
                        if ($token.Groups[1].Success) {
                            $name = $token.Groups[1].Value
                            if (-not $cmdlet) { "$($file.Name): -$name without the cmdlet it belongs to (an ErrorHint in the shell says it)" }
                            elseif ($name -notin $commands[$cmdlet]) { "$($file.Name): $cmdlet has no -$name" }
                        } elseif ($commands.ContainsKey($token.Value)) { $cmdlet = $token.Value }
                        else { "$($file.Name): no cmdlet $($token.Value)" }
                    }
                }
            }
        }
        $cited | Should -BeNullOrEmpty
    }

    It 'hints at parameters the raising cmdlet has, for error ids of the catalogue' {
        # The core lives in the module's own load context: reach its catalogue through a type a cmdlet outputs.
        $ids = (Get-Command Invoke-CruddurTask).OutputType[0].Type.Assembly.GetType('Cruddur.Core.Hosting.ErrorIds').GetFields().ForEach({ $_.GetValue($null) })
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $wrong = foreach ($command in Get-Command -Module Cruddur) {
            foreach ($hint in $command.ImplementingType.GetCustomAttributes([Cruddur.PowerShell.Hosting.ErrorHintAttribute], $true)) {
                if ($hint.ErrorId -notin $ids) { "$($command.Name): $($hint.ErrorId) is not in the catalogue" }
                foreach ($name in [regex]::Matches($hint.Hint, '(?<![\w-])-([A-Z][A-Za-z]+)\b').ForEach({ $_.Groups[1].Value })) {
                    if ($name -notin @($command.Parameters.Keys) + $common) { "$($command.Name): -$name in the hint for $($hint.ErrorId)" }
                }
            }
        }
        @(Get-Command -Module Cruddur).ImplementingType.GetCustomAttributes([Cruddur.PowerShell.Hosting.ErrorHintAttribute], $true) | Should -Not -BeNullOrEmpty
        $wrong | Should -BeNullOrEmpty
    }

    It 'takes durations as TimeSpan with seconds accepted everywhere, the old *Seconds names kept as aliases' -TestCases @(
        @{ Command = 'Test-CruddurHealth'; Name = 'Timeout'; Alias = 'TimeoutSeconds' }
        @{ Command = 'Test-CruddurHealth'; Name = 'RetryInterval'; Alias = 'RetryIntervalSeconds' }
        @{ Command = 'Test-CruddurDatabase'; Name = 'Timeout'; Alias = 'TimeoutSeconds' }
        @{ Command = 'Initialize-CruddurInfrastructure'; Name = 'CertificateTimeout'; Alias = 'CertificateTimeoutSeconds' }
        @{ Command = 'Deploy-CruddurService'; Name = 'Timeout'; Alias = $null }
    ) {
        param($Command, $Name, $Alias)
        $p = (Get-Command $Command).Parameters[$Name]
        $p.ParameterType | Should -Be ([TimeSpan])
        $p.Attributes.TypeId.Name | Should -Contain 'SecondsArgumentAttribute'
        if ($Alias) { $p.Aliases | Should -Contain $Alias }
    }

    It 'imports in a fresh pwsh with -Step bound and completed from the core''s enum' {
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
(TabExpansion2 'Invoke-CruddurDbSetup -Step Dr' 30).CompletionMatches.CompletionText
try { Invoke-CruddurDbSetup -Step Nope } catch { `$_.FullyQualifiedErrorId }
"@
        $out | Select-Object -Last 2 | Should -Be @('Drop', 'ParameterArgumentValidationError,Cruddur.PowerShell.Commands.InvokeCruddurDbSetupCommand')
    }

    It 'keeps its dependencies out of the default load context' {
        $out = Invoke-FreshPwsh "Import-Module '$manifest'; `$null = New-CruddurEnvFile -Path (New-TemporaryFile) -WhatIf -Destination (Join-Path ([IO.Path]::GetTempPath()) 'x.env') 3>`$null; [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { `$_.Assemblies.GetName().Name -contains 'Cruddur.Core' } | ForEach-Object Name"
        $out | Select-Object -Last 1 | Should -Be 'Cruddur'
    }

    It 'imports and calls AWS in a session that already loaded another AWSSDK.Core' {
        # AWS.Tools.Common loads its own AWSSDK.Core; an older one is the hard case.
        $otherSdk = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll'
        if (-not (Test-Path $otherSdk)) {
            $restore = New-TestFolder
            Set-Content (Join-Path $restore 'r.csproj') '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup><ItemGroup><PackageDownload Include="AWSSDK.Core" Version="[3.7.402]" /></ItemGroup></Project>'
            dotnet restore (Join-Path $restore 'r.csproj') -v quiet | Out-Null
        }
        $stack = Start-CruddurStack Moto
        try {
            $previous = Set-CruddurStackEnvironment $stack
            aws ssm put-parameter --type SecureString --name /cruddur/iso/ISO_VALUE --value isolated --output text | Out-Null
            $work = New-TestFolder
            Set-Content (Join-Path $work 't.env.erb') "V=<%= ENV['ISO_VALUE'] %>"
            $out = Invoke-FreshPwsh @"
Add-Type -Path '$otherSdk'
`$before = [Amazon.Runtime.AWSCredentials].Assembly.GetName().Version.ToString()
Import-Module '$manifest'
`$null = New-CruddurEnvFile -Path '$work/t.env.erb' -ParameterPath /cruddur/iso -Destination '$work/'
"`$before|`$((Get-Content '$work/t.env' -Raw).Trim())"
"@
            $before, $rendered = ($out | Select-Object -Last 1) -split '\|', 2
            $before | Should -BeLike '3.3.*'
            $rendered | Should -Be 'V=isolated'
        } finally {
            Restore-CruddurStackEnvironment $previous
            Stop-CruddurStack $stack
        }
    }

    It 'installs from its package into an empty module path and works' {
        $nupkg = Get-ChildItem (Join-Path $RepoRoot 'out/repository') -Filter 'Cruddur.*.nupkg' | Select-Object -First 1
        $nupkg | Should -Not -BeNullOrEmpty -Because 'build.ps1 Test packages the module before running Pester'
        $modules = New-TestFolder
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name CruddurTest -Uri '$(Split-Path $nupkg.FullName)' -Trusted
try { Save-PSResource -Name Cruddur -Repository CruddurTest -Path '$modules' -TrustRepository -Quiet } finally { Unregister-PSResourceRepository -Name CruddurTest }
`$env:PSModulePath = '$modules'
Import-Module Cruddur
(Get-Command -Module Cruddur).Name -join ','
(Get-Module Cruddur).ModuleBase
`$t = New-TemporaryFile; Set-Content `$t 'A=<%= ENV["PATH"] %>'
(New-CruddurEnvFile -LiteralPath `$t -Destination "`$t.env").Keys -join ','
"@
        $names, $base, $keys = $out | Select-Object -Last 3
        ($names -split ',' | Sort-Object) | Should -Be ((Import-PowerShellDataFile $manifest).CmdletsToExport | Sort-Object)
        $base | Should -BeLike "$modules*"
        $keys | Should -Be 'A'
    }
}
