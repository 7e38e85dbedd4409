# The help of the BUILT module, as Get-Help shows it: build.ps1 sets $env:CRUDDUR_MODULE_PATH to the built Cruddur.psd1 and
# runs this in a fresh pwsh (a binary module cannot be unloaded). The help comes from docs/en-US through tools/New-MamlHelp.ps1.

BeforeDiscovery {
    if (-not $env:CRUDDUR_MODULE_PATH) { throw 'Set $env:CRUDDUR_MODULE_PATH to the built Cruddur.psd1.' }
    $module = Import-Module $env:CRUDDUR_MODULE_PATH -Force -PassThru
    $skip = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $cmdlets = foreach ($command in $module.ExportedCmdlets.Values | Sort-Object Name) {
        @{
            Name       = $command.Name
            Parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $skip } | ForEach-Object { @{ Name = $command.Name; Parameter = $_ } })
        }
    }
}

BeforeAll {
    $module = Import-Module $env:CRUDDUR_MODULE_PATH -Force -PassThru
    function Get-Text($Node) { (@($Node | ForEach-Object { $_.Text }) -join "`n").Trim() }
}

Describe '<Name> help' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
    }

    It 'comes from the module''s MAML file, not from the cmdlet''s metadata' {
        # Without a help file Get-Help makes a synopsis out of the syntax ("New-X [-Path] <string[]> ...") and has no description.
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty -Because "$Name needs a SYNOPSIS"
        $synopsis | Should -Not -Match "^$([regex]::Escape($Name))(\s|$)" -Because "$Name's synopsis is the auto-generated syntax, so its help was not found"
    }

    It 'opens its docs page online (Get-Help -Online), in the repository the manifest names' {
        $project = (Get-Module Cruddur).ProjectUri.ToString().TrimEnd('/')
        (Get-Command $Name).HelpUri | Should -Be "$project/blob/main/docs/en-US/$Name.md"
        Join-Path $env:CRUDDUR_REPO_ROOT "docs/en-US/$Name.md" | Should -Exist
    }

    It 'has a description' {
        Get-Text $help.description | Should -Not -BeNullOrEmpty -Because "$Name needs a DESCRIPTION"
    }

    It 'describes -<Parameter>' -ForEach $Parameters {
        $documented = @($help.parameters.parameter | Where-Object name -EQ $Parameter)
        $documented | Should -HaveCount 1 -Because "$Name -$Parameter must be in the help's parameter list exactly once"
        Get-Text $documented[0].description | Should -Not -BeNullOrEmpty -Because "$Name -$Parameter needs a description"
    }

    It 'documents only parameters the cmdlet has' {
        $real = (Get-Command $Name).Parameters.Keys
        $stale = @($help.parameters.parameter.name | Where-Object { $_ -notin $real })
        $stale | Should -BeNullOrEmpty -Because "$Name's help documents parameters it does not have: $($stale -join ', ')"
    }

    It 'has at least two examples, each with code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2 -Because "$Name needs at least two examples"
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty -Because "$Name's example '$($example.title)' needs code"
        }
    }

    It 'shows its examples with Get-Help -Examples' {
        $text = Get-Help $Name -Examples | Out-String -Width 200
        $firstCode = (@($help.examples.example)[0].code -split "`n")[0].Trim()
        $text | Should -Match ([regex]::Escape($firstCode)) -Because "Get-Help $Name -Examples should print the first example's code"
    }
}

Describe 'about_Cruddur' {
    BeforeAll {
        $about = Get-Help about_Cruddur -ErrorAction SilentlyContinue | Out-String
    }

    It 'is found by Get-Help about_Cruddur' {
        $about | Should -Match 'about_Cruddur' -Because 'en-US/about_Cruddur.help.txt should be shipped beside the module'
        $about | Should -Match 'SHORT DESCRIPTION'
    }

    It 'mentions <Name>' -ForEach $cmdlets {
        $about | Should -Match ([regex]::Escape($Name)) -Because "about_Cruddur should list the cmdlet $Name"
    }
}

Describe 'tools/New-MamlHelp.ps1' {
    It 'refuses to build help when a parameter has no description in docs/en-US' {
        $docs = Join-Path $TestDrive 'docs'
        Copy-Item (Join-Path $env:CRUDDUR_REPO_ROOT 'docs/en-US') $docs -Recurse
        $page = Join-Path $docs 'Test-CruddurHealth.md'
        $text = Get-Content $page -Raw
        $text -match '(?m)^### -RetryCount\r?\n[^#]+' | Should -BeTrue -Because 'the page describes -RetryCount under its own heading'
        Set-Content $page ($text -replace '(?m)^### -RetryCount\r?\n[^#]+', "### -RetryCount`n`n") -NoNewline
        $out = Join-Path $TestDrive 'Cruddur.dll-Help.xml'

        # A child pwsh, as the build runs it: the generator imports the binary module.
        $pwsh = if (Test-Path "$PSHOME/pwsh.dll") { [Environment]::ProcessPath, "$PSHOME/pwsh.dll" } else { , [Environment]::ProcessPath }
        $said = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $env:CRUDDUR_REPO_ROOT 'tools/New-MamlHelp.ps1') `
            -DocsPath $docs -ModuleManifest $env:CRUDDUR_MODULE_PATH -OutFile $out 2>&1 | Out-String

        $LASTEXITCODE | Should -Not -Be 0
        $said | Should -Match 'Test-CruddurHealth: -RetryCount has no description'
        $out | Should -Not -Exist
    }
}
