using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Database;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Drops, creates, loads and seeds the Cruddur PostgreSQL database (the seed's bin/postgresdb/setup).</summary>
[Cmdlet(VerbsLifecycle.Invoke, "CruddurDbSetup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Invoke-CruddurDbSetup.md")]
[OutputType(typeof(DbSetupResult))]
[ErrorHint(ErrorIds.DbUserPoolNotFound, "Pass the pool's id with -UserPoolId, or leave the CognitoUserIds step out with -Step.")]
[ErrorHint(ErrorIds.DbConnectionUrlMissing, CommonHints.ConnectionUrlMissing)]
[ErrorHint(ErrorIds.DbUserPoolIdMissing, "Or pass -UserPoolId, or leave the step out with -Step.")]
[ErrorHint(ErrorIds.DbRemoteHostNeedsForce, "Add -Force if you mean to, e.g. for the production database.")]
[ErrorHint(ErrorIds.DbDatabaseInUse, "Include it with -Step KillConnections,Drop,...")]
[ErrorHint(ErrorIds.DbDatabaseExists, "Include Drop, or leave Create out, with -Step.")]
public sealed class InvokeCruddurDbSetupCommand : AwsCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUrl { get; set; }

    [Parameter(ValueFromPipeline = true)]
    [EnvFileTransformation]
    public EnvFile? EnvFile { get; set; }

    [Parameter]
    [ValidateSet(DbConnectionSource.Dev, DbConnectionSource.Prod)]
    public string Environment { get; set; } = DbConnectionSource.Dev;

    [Parameter]
    [ValidateDbSetupStep]
    [ArgumentCompleter(typeof(DbSetupStepCompleter))]
    public string[]? Step { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SchemaPath { get; set; } = SeedDefaults.SchemaPath;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SeedPath { get; set; } = SeedDefaults.SeedPath;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserPoolId { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool Forced => Force;

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var values = EnvFile?.ReadValues();
            var url = DbConnectionSource.Resolve(ConnectionUrl, EnvFile, values, Environment);
            var steps = Step is null ? Enum.GetValues<DbSetupStep>() : Step.Select(s => Enum.Parse<DbSetupStep>(s, ignoreCase: true)).ToArray();
            var setup = new DbSetup(new DbSetupRequest(url, steps)
            {
                SchemaPath = GetUnresolvedProviderPathFromPSPath(SchemaPath),
                SeedPath = GetUnresolvedProviderPathFromPSPath(SeedPath),
                UserPoolId = UserPoolId ?? DbConnectionSource.Lookup("AWS_COGNITO_USER_POOL_ID", values),
                Force = Force,
            }, App);
            var confirmed = Run((host, _) => Task.FromResult(setup.Prepare(host)));
            var highImpact = confirmed.Where(s => DbSetup.IsHighImpact(s, url.IsLocal)).ToList();
            if (highImpact.Count > 0 && !Force && AsksForHighImpact()
                && !ShouldContinue($"Run {string.Join(", ", highImpact)} against '{url.Database}' at {url.Host}:{url.Port}? Data in it can be lost.", "Destructive database steps"))
            {
                return;
            }

            foreach (var step in confirmed)
            {
                WriteObject(Run((host, token) => setup.RunAsync(step, host, token)));
            }
        });
    }

    // DbSetup.IsHighImpact steps: with the default $ConfirmPreference (High) they ask, although the other steps (medium)
    // do not. ShouldProcess has already asked when -Confirm was given or the preference is lower.
    private bool AsksForHighImpact()
    {
        if (MyInvocation.BoundParameters.ContainsKey("Confirm") || MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            return false;
        }

        return LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var preference) && preference == ConfirmImpact.High;
    }
}
