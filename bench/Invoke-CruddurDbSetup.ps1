#Requires -Version 7.4
<#
.SYNOPSIS
    Invoke-CruddurDbSetup against the seed's bash + psql sequence (drop, create, schema-load, seed), same server, same files.
.DESCRIPTION
    Starts PostgreSQL 15 from the test stack, then alternates the two for -Iterations rounds after one warm-up each:
    - baseline: one bash process running the seed's four psql calls (drop database IF EXISTS, create database,
      psql < schema.sql, psql < seed.sql), the password in PGPASSWORD;
    - ours: Invoke-CruddurDbSetup -Step Drop, Create, Schema, Seed in this PowerShell process.
    Prints both medians and the ratio ours / baseline (goal <= 1.0).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Iterations = 10
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot
Import-Module $ModulePath
Import-Module (Join-Path $repo 'tests/Stack/CruddurStack.psm1')

$db = Join-Path $repo 'demo/cruddur/backend-flask/db'
$schema = Join-Path $db 'schema.sql'
$seed = Join-Path $db 'seed.sql'
$stack = Start-CruddurStack Postgres
try {
    $port = $stack.PostgresPort
    $url = "postgresql://postgres:$($stack.PostgresPassword)@127.0.0.1:$port/cruddur"
    # The seed's bin/postgresdb/drop, create, schema-load and seed, one after the other as its setup script sources them.
    $baseline = @'
set -e
psql "$NO_DB_CONNECTION_URL" -q -c "DROP DATABASE IF EXISTS cruddur;"
psql "$NO_DB_CONNECTION_URL" -q -c "CREATE DATABASE cruddur;"
psql "$CONNECTION_URL" -q -v ON_ERROR_STOP=1 < "$SCHEMA_PATH" > /dev/null
psql "$CONNECTION_URL" -q -v ON_ERROR_STOP=1 < "$SEED_PATH" > /dev/null
'@
    $env:PGPASSWORD = $stack.PostgresPassword
    $env:NO_DB_CONNECTION_URL = "postgresql://postgres@127.0.0.1:$port/postgres"
    $env:CONNECTION_URL = "postgresql://postgres@127.0.0.1:$port/cruddur"
    $env:SCHEMA_PATH = $schema
    $env:SEED_PATH = $seed

    $runs = @{
        baseline = { & bash -c $baseline; if ($LASTEXITCODE) { throw "bash + psql failed ($LASTEXITCODE)" } }
        ours     = { $null = Invoke-CruddurDbSetup -ConnectionUrl $url -Step Drop, Create, Schema, Seed -SchemaPath $schema -SeedPath $seed -Confirm:$false }
    }
    $times = @{ baseline = [System.Collections.Generic.List[double]]::new(); ours = [System.Collections.Generic.List[double]]::new() }
    foreach ($name in 'baseline', 'ours') { & $runs[$name] }   # warm-up: JIT, the page cache, template1
    for ($i = 0; $i -lt $Iterations; $i++) {
        # Alternating, so a burst of load on the shared machine hits both.
        $order = if ($i % 2) { 'ours', 'baseline' } else { 'baseline', 'ours' }
        foreach ($name in $order) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            & $runs[$name]
            $times[$name].Add($watch.Elapsed.TotalMilliseconds)
        }
    }

    function Get-Median([double[]] $values) {
        $sorted = $values | Sort-Object
        $mid = [math]::Floor($sorted.Count / 2)
        if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
    }
    $baselineMs = Get-Median $times.baseline
    $oursMs = Get-Median $times.ours
    [pscustomobject]@{ Runner = 'bash + psql (seed)'; MedianMs = [math]::Round($baselineMs, 1); MinMs = [math]::Round(($times.baseline | Measure-Object -Minimum).Minimum, 1) },
    [pscustomobject]@{ Runner = 'Invoke-CruddurDbSetup'; MedianMs = [math]::Round($oursMs, 1); MinMs = [math]::Round(($times.ours | Measure-Object -Minimum).Minimum, 1) } |
        Format-Table | Out-Host
    "Invoke-CruddurDbSetup / bash+psql: ratio {0:0.00} over {1} runs each (goal <= 1.0)" -f ($oursMs / $baselineMs), $Iterations
} finally {
    Remove-Item Env:PGPASSWORD, Env:NO_DB_CONNECTION_URL, Env:CONNECTION_URL, Env:SCHEMA_PATH, Env:SEED_PATH -ErrorAction Ignore
    Stop-CruddurStack $stack
}
