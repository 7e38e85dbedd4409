#Requires -Version 7.4
<#
.SYNOPSIS
    Import-Module Cruddur time against a bare 'pwsh -c 1', in one run, with the ratio.
.DESCRIPTION
    Alternates the two so machine load hits both alike; reports medians of -Runs process starts each.
    Also times the first cmdlet call after the import (New-CruddurEnvFile -WhatIf), which loads the core.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 10
)
$ErrorActionPreference = 'Stop'
$dotnet = [Environment]::ProcessPath
$pwshDll = Join-Path $PSHOME 'pwsh.dll'
$template = New-TemporaryFile
Set-Content $template 'A=<%= ENV["HOME"] %>'
$cases = [ordered]@{
    'pwsh -c 1'                   = '1'
    'Import-Module Cruddur'       = "Import-Module '$ModulePath'"
    'Import + first cmdlet call'  = "Import-Module '$ModulePath'; `$null = New-CruddurEnvFile -LiteralPath '$template' -Destination '$template.env' -WhatIf 6>`$null"
}
$times = @{}
foreach ($name in $cases.Keys) { $times[$name] = [System.Collections.Generic.List[double]]::new() }
& $dotnet $pwshDll -NoProfile -Command "Import-Module '$ModulePath'" | Out-Null # warm the disk cache
for ($i = 0; $i -lt $Runs; $i++) {
    foreach ($name in $cases.Keys) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $dotnet $pwshDll -NoProfile -NonInteractive -Command $cases[$name] | Out-Null
        $times[$name].Add($watch.Elapsed.TotalMilliseconds)
    }
}
function Median($values) { $s = $values | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
$baseline = Median $times['pwsh -c 1']
foreach ($name in $cases.Keys) {
    $m = Median $times[$name]
    [pscustomobject]@{ Case = $name; MedianMs = [math]::Round($m); Ratio = [math]::Round($m / $baseline, 2) }
}
Remove-Item $template, "$template.env" -ErrorAction Ignore
