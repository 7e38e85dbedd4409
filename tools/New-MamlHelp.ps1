<#
.SYNOPSIS
Builds the module's MAML help (en-US/Cruddur.dll-Help.xml) and about_*.help.txt topics from the markdown in docs/en-US.

.DESCRIPTION
platyPS is not available to this project, so this script does its job: it imports the built module, and for every cmdlet the
module exports it merges docs/en-US/<Verb-Noun>.md (the prose) with the cmdlet's real metadata from Get-Command (parameter
sets, mandatory, position, pipeline input, wildcards, aliases, types, defaults, output types) into one MAML command entry.
Run it in a throwaway pwsh: a binary module cannot be unloaded.

It fails, listing every problem at once, when an exported cmdlet has no doc file, no SYNOPSIS, no DESCRIPTION, fewer than two
examples (each needs a code block), a parameter without a description, or documents a parameter or output type it does not
have. Common parameters and -WhatIf/-Confirm need no description (standard text is used unless the doc gives one).

Doc format (docs/README.md says the same):

    # New-CruddurEnvFile                 the cmdlet's name
    ## SYNOPSIS                          one line
    ## DESCRIPTION                       paragraphs
    ## EXAMPLES
    ### Example 1: title                 one ### per example, at least two
    ```powershell                        the first fenced block is the example's code
    code
    ```
    remarks paragraphs                   everything after the code
    ## PARAMETERS
    ### -Name                            one ### per parameter, then its description
    description
    ## INPUTS / ## OUTPUTS               optional; ### <TypeName> then a description
    ## NOTES                             optional; paragraphs
    ## RELATED LINKS                     optional; one link a line: [text](https://...) or a command name

Paragraphs are separated by blank lines; lines of one paragraph are joined; list items ("- ", "* ", "1. ") and fenced blocks
keep their lines. docs/en-US/_CommonParameters.md holds "### -Region"-style sections used by every cmdlet that has the
parameter and does not describe it itself. docs/en-US/about_*.md become about_*.help.txt:

    # about_Cruddur
    ## SHORT DESCRIPTION
    ## LONG DESCRIPTION
    ### subheadings, paragraphs, fenced code

.EXAMPLE
dotnet pwsh -NoProfile -File tools/New-MamlHelp.ps1 -DocsPath docs/en-US -ModuleManifest out/Cruddur/Cruddur.psd1 -OutFile out/Cruddur/en-US/Cruddur.dll-Help.xml
#>
[CmdletBinding()]
param(
    # The folder holding <Verb-Noun>.md, _CommonParameters.md and about_*.md.
    [Parameter(Mandatory)]
    [string] $DocsPath,

    # The built module's manifest; the script imports it to read the cmdlets' metadata.
    [Parameter(Mandatory)]
    [string] $ModuleManifest,

    # The MAML file to write, normally <module>/en-US/Cruddur.dll-Help.xml. about_*.help.txt go into the same folder.
    [Parameter(Mandatory)]
    [string] $OutFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$MamlNs = 'http://schemas.microsoft.com/maml/2004/10'
$CommandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$DevNs = 'http://schemas.microsoft.com/maml/dev/2004/10'

# Parameters every cmdlet gets from PowerShell; Get-Help prints [<CommonParameters>] for them.
$CommonParameters = [System.Collections.Generic.HashSet[string]]::new(
    [string[]]([System.Management.Automation.PSCmdlet]::CommonParameters), [StringComparer]::OrdinalIgnoreCase)
# -WhatIf/-Confirm come from SupportsShouldProcess; they are listed in the help, with this text unless a doc says otherwise.
$ShouldProcessText = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Markdown

# Splits markdown into sections at headings of one level: returns an ordered list of @{ Title; Lines }.
# Lines before the first such heading go into a section with an empty title. Headings inside fenced blocks are not headings.
function Split-Section([string[]] $Lines, [int] $Level) {
    $marker = '#' * $Level
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Title = ''; Lines = [System.Collections.Generic.List[string]]::new() }
    $sections.Add($current)
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match "^$marker\s+(?<title>[^#].*?)\s*#*\s*$") {
            $current = [pscustomobject]@{ Title = $Matches.title.Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
            continue
        }
        $current.Lines.Add($line)
    }
    $sections
}

# Turns markdown body lines into paragraphs (strings): blank lines separate paragraphs, wrapped lines are joined with a space,
# list items start a new line, fenced blocks keep their lines (fence markers dropped) as paragraphs of their own.
function ConvertTo-Paragraph([string[]] $Lines) {
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $buffer = [System.Text.StringBuilder]::new()
    $inFence = $false
    $flush = {
        if ($buffer.Length -gt 0) { $paragraphs.Add($buffer.ToString().TrimEnd()); [void]$buffer.Clear() }
    }
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') {
            & $flush
            $inFence = -not $inFence
            continue
        }
        if ($inFence) {
            if ($buffer.Length -gt 0) { [void]$buffer.Append("`n") }
            [void]$buffer.Append($line.TrimEnd())
            continue
        }
        $text = $line.Trim()
        if ($text -eq '') { & $flush; continue }
        if ($buffer.Length -eq 0) { [void]$buffer.Append($text) }
        elseif ($text -match '^([-*+]|\d+[.)])\s') { [void]$buffer.Append("`n$text") }
        else { [void]$buffer.Append(" $text") }
    }
    & $flush
    , $paragraphs.ToArray()
}

# Reads one cmdlet doc into @{ Name; Synopsis; Description; Examples; Parameters; Inputs; Outputs; Notes; Links }.
function Read-CommandDoc([string] $Path, [System.Collections.Generic.List[string]] $Problems) {
    $lines = Get-Content -LiteralPath $Path -Encoding utf8
    $file = Split-Path -Leaf $Path
    $top = Split-Section $lines 1
    $doc = [ordered]@{
        Name = $null; Synopsis = @(); Description = @(); Examples = @(); Parameters = [ordered]@{}
        Inputs = [ordered]@{}; Outputs = [ordered]@{}; Notes = @(); Links = @()
    }
    $titled = @($top | Where-Object Title)
    if ($titled.Count -eq 0) { $Problems.Add("${file}: no '# <cmdlet name>' heading."); return $doc }
    $doc.Name = $titled[0].Title

    foreach ($section in Split-Section $titled[0].Lines 2) {
        switch -Regex ($section.Title) {
            '^$' { if (ConvertTo-Paragraph $section.Lines) { $Problems.Add("${file}: text before the first '## ' section.") } }
            '^SYNOPSIS$' { $doc.Synopsis = ConvertTo-Paragraph $section.Lines }
            '^DESCRIPTION$' { $doc.Description = ConvertTo-Paragraph $section.Lines }
            '^EXAMPLES$' {
                $doc.Examples = foreach ($example in Split-Section $section.Lines 3 | Where-Object Title) {
                    $code = [System.Collections.Generic.List[string]]::new()
                    $rest = [System.Collections.Generic.List[string]]::new()
                    $state = 'before'   # before -> code -> after: the first fenced block is the code
                    foreach ($line in $example.Lines) {
                        if ($state -ne 'after' -and $line -match '^\s*(```|~~~)') {
                            $state = if ($state -eq 'before') { 'code' } else { 'after' }
                            continue
                        }
                        if ($state -eq 'code') { $code.Add($line) }
                        elseif ($line.Trim() -ne '' -or $state -eq 'after') { $rest.Add($line) }
                    }
                    [pscustomobject]@{
                        Title   = $example.Title
                        Code    = ($code -join "`n").Trim("`r", "`n")
                        Remarks = ConvertTo-Paragraph $rest
                    }
                }
                $doc.Examples = @($doc.Examples)
            }
            '^PARAMETERS$' { Read-ParameterSection $section.Lines $doc.Parameters $file $Problems }
            '^(INPUTS|OUTPUTS)$' {
                $target = if ($section.Title -eq 'INPUTS') { $doc.Inputs } else { $doc.Outputs }
                foreach ($type in Split-Section $section.Lines 3 | Where-Object Title) {
                    $target[$type.Title] = ConvertTo-Paragraph $type.Lines
                }
            }
            '^NOTES$' { $doc.Notes = ConvertTo-Paragraph $section.Lines }
            '^RELATED LINKS$' {
                $doc.Links = foreach ($line in $section.Lines) {
                    $text = $line.Trim() -replace '^[-*+]\s+', ''
                    if ($text -eq '') { continue }
                    if ($text -match '^\[(?<text>[^\]]*)\]\((?<uri>[^)]*)\)$') { [pscustomobject]@{ Text = $Matches.text; Uri = $Matches.uri } }
                    else { [pscustomobject]@{ Text = $text; Uri = '' } }
                }
                $doc.Links = @($doc.Links)
            }
            default { $Problems.Add("${file}: unknown section '## $($section.Title)'.") }
        }
    }
    $doc
}

# Adds "### -Name" sections to $Into (name -> paragraphs).
function Read-ParameterSection([string[]] $Lines, $Into, [string] $File, [System.Collections.Generic.List[string]] $Problems) {
    foreach ($parameter in Split-Section $Lines 3 | Where-Object Title) {
        if ($parameter.Title -notmatch '^-(?<name>\w+)$') { $Problems.Add("${File}: '### $($parameter.Title)' is not a parameter heading ('### -Name')."); continue }
        if ($Into.Contains($Matches.name)) { $Problems.Add("${File}: -$($Matches.name) is described twice."); continue }
        $Into[$Matches.name] = ConvertTo-Paragraph $parameter.Lines
    }
}

#endregion

#region Metadata

# A type as PowerShell prints it in syntax: String[], Hashtable, Nullable<int> as Int32, generics as List[String].
function Get-TypeName([type] $Type, [switch] $Full) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    if ($Type.IsArray) { return (Get-TypeName $Type.GetElementType() -Full:$Full) + '[]' }
    $name = if ($Full -and $Type.FullName) { $Type.FullName -replace '`\d+.*$', '' } else { $Type.Name -replace '`\d+$', '' }
    if ($Type.IsGenericType) {
        $name + '[' + (($Type.GetGenericArguments() | ForEach-Object { Get-TypeName $_ -Full:$Full }) -join ', ') + ']'
    }
    else { $name }
}

# What a parameter holds before binding: read from a fresh instance of the cmdlet class.
function Get-DefaultValue($Instance, [string] $Name, [bool] $IsSwitch) {
    $property = if ($null -ne $Instance) { $Instance.GetType().GetProperty($Name) }
    if ($null -eq $property) { return $(if ($IsSwitch) { 'False' } else { 'None' }) }
    try { $value = $property.GetValue($Instance) } catch { return 'None' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return [string]$value.IsPresent }
    if ($null -eq $value -or ($value -is [array] -and $value.Count -eq 0) -or ($value -is [string] -and $value -eq '')) { return 'None' }
    if ($value -is [array]) { return $value -join ', ' }
    [string]$value
}

# One value that may differ between parameter sets: "x" when all agree, else "x (SetA), y (SetB)".
function Join-PerSet([System.Collections.IDictionary] $BySet) {
    $distinct = @($BySet.Values | Select-Object -Unique)
    if ($distinct.Count -eq 1) { return [string]$distinct[0] }
    ($BySet.GetEnumerator() | ForEach-Object { "$($_.Value) ($($_.Key))" }) -join ', '
}

function Get-PipelineInput($Set) {
    $how = @(if ($Set.ValueFromPipeline) { 'ByValue' }; if ($Set.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
    if ($how) { "True ($($how -join ', '))" } else { 'False' }
}

#endregion

#region MAML

function Write-Para([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    if (-not $Paragraphs) { $Paragraphs = @('') }
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $MamlNs, $paragraph) }
}

function Write-Description([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $MamlNs)
    Write-Para $Writer $Paragraphs
    $Writer.WriteEndElement()
}

# A command:parameter element; $Info = @{ Name; Required; Position; PipelineInput; Globbing; Aliases; Type; IsSwitch; Default; Description }.
function Write-Parameter([System.Xml.XmlWriter] $Writer, $Info, [switch] $InSyntax) {
    $Writer.WriteStartElement('command', 'parameter', $CommandNs)
    $Writer.WriteAttributeString('required', $Info.Required)
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Info.Globbing)
    $Writer.WriteAttributeString('pipelineInput', $Info.PipelineInput)
    $Writer.WriteAttributeString('position', $Info.Position)
    $Writer.WriteAttributeString('aliases', $Info.Aliases)
    $Writer.WriteElementString('maml', 'name', $MamlNs, $Info.Name)
    Write-Description $Writer $Info.Description
    # Get-Help's syntax prints "-Name <Type>" from parameterValue, so a switch has none there: "[-Name]". In the parameter
    # list an optional value prints "-Name [<SwitchParameter>]".
    if (-not ($InSyntax -and $Info.IsSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $CommandNs)
        $Writer.WriteAttributeString('required', $(if ($Info.IsSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Info.Type)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $DevNs)
    $Writer.WriteElementString('maml', 'name', $MamlNs, $Info.Type)
    $Writer.WriteElementString('maml', 'uri', $MamlNs, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $DevNs, $Info.Default)
    $Writer.WriteEndElement()
}

function Write-TypeList([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, $Types) {
    $Writer.WriteStartElement('command', $ListName, $CommandNs)
    foreach ($type in $Types) {
        $Writer.WriteStartElement('command', $ItemName, $CommandNs)
        $Writer.WriteStartElement('dev', 'type', $DevNs)
        $Writer.WriteElementString('maml', 'name', $MamlNs, $type.Name)
        $Writer.WriteEndElement()
        Write-Description $Writer $type.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

#endregion

# Builds one command:command element for $Command (a CmdletInfo) from $Doc; adds what is wrong to $Problems.
function Write-Command([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CmdletInfo] $Command, $Doc, $Shared, [string] $File,
    [System.Collections.Generic.List[string]] $Problems) {
    $name = $Command.Name
    if ($Doc.Name -and $Doc.Name -ne $name) { $Problems.Add("${File}: the heading says '# $($Doc.Name)', expected '# $name'.") }
    if (-not ($Doc.Synopsis -join '').Trim()) { $Problems.Add("${name}: no SYNOPSIS.") }
    if (-not ($Doc.Description -join '').Trim()) { $Problems.Add("${name}: no DESCRIPTION.") }
    $examples = @($Doc.Examples)
    if ($examples.Count -lt 2) { $Problems.Add("${name}: $($examples.Count) example(s); at least two are needed.") }
    foreach ($example in $examples | Where-Object { -not $_.Code }) { $Problems.Add("${name}: example '$($example.Title)' has no code block.") }

    $instance = try { [Activator]::CreateInstance($Command.ImplementingType) } catch { $null }
    try {
        # Every parameter except the common ones, in declaration order, with what Get-Help shows for it.
        $parameters = [ordered]@{}
        foreach ($metadata in $Command.Parameters.Values) {
            if ($CommonParameters.Contains($metadata.Name)) { continue }
            $description = if ($Doc.Parameters.Contains($metadata.Name)) { $Doc.Parameters[$metadata.Name] }
            elseif ($Shared.Contains($metadata.Name)) { $Shared[$metadata.Name] }
            elseif ($ShouldProcessText.ContainsKey($metadata.Name)) { @($ShouldProcessText[$metadata.Name]) }
            if (-not ($description -join '').Trim()) { $Problems.Add("${name}: -$($metadata.Name) has no description (add '### -$($metadata.Name)' under ## PARAMETERS).") }
            $sets = [ordered]@{}
            foreach ($set in $metadata.ParameterSets.GetEnumerator()) {
                $setName = if ($set.Key -eq '__AllParameterSets') { '(All)' } else { $set.Key }
                $sets[$setName] = $set.Value
            }
            $required = [ordered]@{}; $position = [ordered]@{}; $pipeline = [ordered]@{}
            foreach ($set in $sets.GetEnumerator()) {
                $required[$set.Key] = ([string]$set.Value.IsMandatory).ToLowerInvariant()
                $position[$set.Key] = if ($set.Value.Position -ge 0) { [string]$set.Value.Position } else { 'named' }
                $pipeline[$set.Key] = Get-PipelineInput $set.Value
            }
            $parameters[$metadata.Name] = [pscustomobject]@{
                Name          = $metadata.Name
                Required      = Join-PerSet $required
                Position      = Join-PerSet $position
                PipelineInput = Join-PerSet $pipeline
                Globbing      = ([string][bool]($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })).ToLowerInvariant()
                Aliases       = if ($metadata.Aliases.Count) { $metadata.Aliases -join ', ' } else { 'none' }
                Type          = Get-TypeName $metadata.ParameterType
                IsSwitch      = $metadata.SwitchParameter
                Default       = Get-DefaultValue $instance $metadata.Name $metadata.SwitchParameter
                Description   = [string[]]$description
            }
        }
    }
    finally {
        if ($instance -is [IDisposable]) { $instance.Dispose() }
    }
    foreach ($documented in $Doc.Parameters.Keys) {
        if (-not $parameters.Contains($documented) -and -not $CommonParameters.Contains($documented)) {
            $Problems.Add("${name}: documents -$documented, which the cmdlet does not have.")
        }
    }

    # Inputs: the types parameters take by value from the pipeline, plus any the doc names (e.g. objects bound by property name).
    $inputs = [ordered]@{}
    foreach ($metadata in $Command.Parameters.Values | Where-Object { $_.ParameterSets.Values.ValueFromPipeline -contains $true }) {
        $typeName = Get-TypeName $metadata.ParameterType -Full
        if (-not $inputs.Contains($typeName)) { $inputs[$typeName] = @("You can pipe $(Get-TypeName $metadata.ParameterType) to -$($metadata.Name).") }
    }
    foreach ($entry in $Doc.Inputs.GetEnumerator()) { $inputs[$entry.Key] = $entry.Value }
    if ($inputs.Count -eq 0) { $inputs['None'] = @('This cmdlet takes no pipeline input.') }

    # Outputs: the [OutputType] types, described by the doc's "### <type>" (full or short name).
    $outputs = [ordered]@{}
    foreach ($type in $Command.OutputType) {
        $full = if ($type.Type) { Get-TypeName $type.Type -Full } else { $type.Name }
        $short = if ($type.Type) { Get-TypeName $type.Type } else { ($type.Name -split '\.')[-1] }
        $outputs[$full] = if ($Doc.Outputs.Contains($full)) { $Doc.Outputs[$full] } elseif ($Doc.Outputs.Contains($short)) { $Doc.Outputs[$short] } else { @() }
        $outputs["$full|short"] = $short
    }
    foreach ($documented in $Doc.Outputs.Keys) {
        $declared = $outputs.Contains($documented) -or $outputs.Values -contains $documented
        if (-not $declared -and $documented -ne 'None') { $Problems.Add("${name}: OUTPUTS documents '$documented', which [OutputType] does not declare.") }
    }
    $returnValues = @(foreach ($key in @($outputs.Keys) | Where-Object { $_ -notlike '*|short' }) { [pscustomobject]@{ Name = $key; Description = $outputs[$key] } })
    if ($returnValues.Count -eq 0) {
        $returnValues = @([pscustomobject]@{ Name = 'None'; Description = $(if ($Doc.Outputs.Contains('None')) { $Doc.Outputs['None'] } else { @('This cmdlet returns no output.') }) })
    }

    $Writer.WriteStartElement('command', 'command', $CommandNs)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $MamlNs)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $CommandNs)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $DevNs)

    $Writer.WriteStartElement('command', 'details', $CommandNs)
    $Writer.WriteElementString('command', 'name', $CommandNs, $name)
    $Writer.WriteElementString('command', 'verb', $CommandNs, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $CommandNs, $Command.Noun)
    Write-Description $Writer (($Doc.Synopsis -join ' ').Trim())
    $Writer.WriteEndElement()

    Write-Description $Writer $Doc.Description

    # One syntax item per parameter set, the default set first; positional parameters by position, then mandatory, then the rest.
    $Writer.WriteStartElement('command', 'syntax', $CommandNs)
    foreach ($set in @($Command.ParameterSets | Sort-Object { -not $_.IsDefault })) {
        $Writer.WriteStartElement('command', 'syntaxItem', $CommandNs)
        $Writer.WriteElementString('maml', 'name', $MamlNs, $name)
        $index = 0
        $ordered = foreach ($parameter in $set.Parameters) {
            $index++
            if ($parameters.Contains($parameter.Name)) {
                [pscustomobject]@{ Parameter = $parameter; Order = $index }
            }
        }
        foreach ($entry in $ordered | Sort-Object { if ($_.Parameter.Position -ge 0) { $_.Parameter.Position } else { [int]::MaxValue } },
            { -not $_.Parameter.IsMandatory }, Order) {
            $parameter = $entry.Parameter
            $info = $parameters[$parameter.Name].psobject.Copy()
            $info.Required = ([string]$parameter.IsMandatory).ToLowerInvariant()
            $info.Position = if ($parameter.Position -ge 0) { [string]$parameter.Position } else { 'named' }
            $info.PipelineInput = Get-PipelineInput $parameter
            Write-Parameter $Writer $info -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $CommandNs)
    foreach ($info in $parameters.Values) { Write-Parameter $Writer $info }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' @($inputs.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Name = $_.Key; Description = $_.Value } })
    Write-TypeList $Writer 'returnValues' 'returnValue' $returnValues

    $Writer.WriteStartElement('maml', 'alertSet', $MamlNs)
    $Writer.WriteStartElement('maml', 'alert', $MamlNs)
    Write-Para $Writer $Doc.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $CommandNs)
    foreach ($example in $examples) {
        $Writer.WriteStartElement('command', 'example', $CommandNs)
        $Writer.WriteElementString('maml', 'title', $MamlNs, "-------------------------- $($example.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $DevNs, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $DevNs)
        Write-Para $Writer (@($example.Remarks) + '')   # the empty paragraph separates it from the next example
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    # Element name as in the help files PowerShell ships (command:relatedLinks holding maml:navigationLink).
    $Writer.WriteStartElement('command', 'relatedLinks', $CommandNs)
    foreach ($link in $Doc.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $MamlNs)
        $Writer.WriteElementString('maml', 'linkText', $MamlNs, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $MamlNs, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

# Converts docs/en-US/about_X.md into the text layout of about topics (TOPIC / SHORT DESCRIPTION / LONG DESCRIPTION, bodies
# indented four spaces) that Get-Help about_X prints and whose SHORT DESCRIPTION it shows as the synopsis.
function ConvertTo-AboutText([string] $Path, [System.Collections.Generic.List[string]] $Problems) {
    $file = Split-Path -Leaf $Path
    $topic = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    $top = @(Split-Section (Get-Content -LiteralPath $Path -Encoding utf8) 1 | Where-Object Title)
    if ($top.Count -eq 0 -or $top[0].Title -ne $topic) { $Problems.Add("${file}: the first heading must be '# $topic'."); return $null }
    $out = [System.Text.StringBuilder]::new()
    [void]$out.Append("TOPIC`n    $topic`n")
    $sections = @(Split-Section $top[0].Lines 2)
    if (-not ($sections | Where-Object Title -EQ 'SHORT DESCRIPTION')) { $Problems.Add("${file}: no '## SHORT DESCRIPTION'.") }
    if (-not ($sections | Where-Object Title -EQ 'LONG DESCRIPTION')) { $Problems.Add("${file}: no '## LONG DESCRIPTION'.") }
    foreach ($section in $sections | Where-Object Title) {
        $out = [System.Text.StringBuilder]::new($out.ToString().TrimEnd() + "`n")
        [void]$out.Append("`n$($section.Title.ToUpperInvariant())`n")
        $inFence = $false
        $blank = $true
        foreach ($line in $section.Lines) {
            if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence; continue }
            $text = $line.TrimEnd()
            if (-not $inFence -and $text -match '^#{3,}\s+(?<title>.*)$') { $text = $Matches.title.ToUpperInvariant() }
            elseif ($inFence) { $text = "    $text" }
            if ($text -eq '' -and $blank) { continue }   # no runs of blank lines, none at a section's start
            $blank = $text -eq ''
            [void]$out.Append($(if ($blank) { "`n" } else { "    $text`n" }))
        }
    }
    $out.ToString().TrimEnd() + "`n"
}

$problems = [System.Collections.Generic.List[string]]::new()
$DocsPath = (Resolve-Path -LiteralPath $DocsPath).ProviderPath
$OutFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
$outDirectory = Split-Path -Parent $OutFile

$module = Import-Module -Name (Resolve-Path -LiteralPath $ModuleManifest).ProviderPath -PassThru -Force -ErrorAction Stop -Verbose:$false
$cmdlets = @($module.ExportedCmdlets.Values | Sort-Object Name)
if ($cmdlets.Count -eq 0) { throw "The module '$ModuleManifest' exports no cmdlets; nothing to document." }

$shared = [ordered]@{}
$sharedFile = Join-Path $DocsPath '_CommonParameters.md'
if (Test-Path -LiteralPath $sharedFile) {
    foreach ($section in Split-Section (Get-Content -LiteralPath $sharedFile -Encoding utf8) 2 | Where-Object Title -EQ 'PARAMETERS') {
        Read-ParameterSection $section.Lines $shared '_CommonParameters.md' $problems
    }
    if ($shared.Count -eq 0) { Read-ParameterSection (Get-Content -LiteralPath $sharedFile -Encoding utf8) $shared '_CommonParameters.md' $problems }
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; Encoding = [System.Text.UTF8Encoding]::new($false); NewLineChars = "`n" }
$buffer = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($buffer, $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($command in $cmdlets) {
    $file = "$($command.Name).md"
    $path = Join-Path $DocsPath $file
    if (-not (Test-Path -LiteralPath $path)) { $problems.Add("$($command.Name): no doc file $path."); continue }
    $doc = Read-CommandDoc $path $problems
    Write-Command $writer $command $doc $shared $file $problems
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Flush()

$abouts = [ordered]@{}
foreach ($about in Get-ChildItem -LiteralPath $DocsPath -Filter 'about_*.md') {
    $abouts["$($about.BaseName).help.txt"] = ConvertTo-AboutText $about.FullName $problems
}

if ($problems.Count) {
    throw "The help for $($module.Name) is incomplete ($($problems.Count) problem(s)); nothing was written:`n  - " + ($problems -join "`n  - ")
}

$null = New-Item -ItemType Directory -Force -Path $outDirectory
[System.IO.File]::WriteAllBytes($OutFile, $buffer.ToArray())
foreach ($about in $abouts.GetEnumerator()) {
    [System.IO.File]::WriteAllText((Join-Path $outDirectory $about.Key), $about.Value, [System.Text.UTF8Encoding]::new($false))
}
Write-Verbose "Wrote $OutFile ($($cmdlets.Count) cmdlet(s)) and $($abouts.Count) about topic(s)."
