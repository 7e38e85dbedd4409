using System.Management.Automation;
using Cruddur.Core;
using Cruddur.Core.Database;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Drops, creates, loads and seeds the Cruddur PostgreSQL database (the seed's bin/postgresdb/setup).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "CruddurDbSetup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = OnlineHelp.Docs + "Invoke-CruddurDbSetup.md")]
[OutputType(typeof(DbSetupResult))]
public sealed class InvokeCruddurDbSetupCommand : AwsCmdlet
{
    /// <summary><para type="description">The database: postgresql://user:password@host:5432/cruddur?sslmode=require. Default: the piped env file's CONNECTION_URL, then $env:CONNECTION_URL (PROD_CONNECTION_URL with -Environment Prod).</para></summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUrl { get; set; }

    /// <summary><para type="description">An env file (New-CruddurEnvFile output, or a path) whose CONNECTION_URL and AWS_COGNITO_USER_POOL_ID to use.</para></summary>
    [Parameter(ValueFromPipeline = true)]
    [EnvFileTransformation]
    public EnvFile? EnvFile { get; set; }

    /// <summary><para type="description">Prod reads PROD_CONNECTION_URL instead of CONNECTION_URL, as the seed's scripts do with their 'prod' argument.</para></summary>
    [Parameter]
    [ValidateSet(DbConnectionSource.Dev, DbConnectionSource.Prod)]
    public string Environment { get; set; } = DbConnectionSource.Dev;

    /// <summary><para type="description">The steps to run, always in this order: KillConnections, Drop, Create, Schema, Seed, CognitoUserIds. Default: all of them.</para></summary>
    [Parameter]
    [ValidateSet("KillConnections", "Drop", "Create", "Schema", "Seed", "CognitoUserIds")]
    public string[]? Step { get; set; }

    /// <summary><para type="description">The schema file. Default: backend-flask/db/schema.sql under the current folder (the project root).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SchemaPath { get; set; } = SeedDefaults.SchemaPath;

    /// <summary><para type="description">The seed data file. Default: backend-flask/db/seed.sql under the current folder (the project root).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SeedPath { get; set; } = SeedDefaults.SeedPath;

    /// <summary><para type="description">The Cognito user pool whose users' sub values go into public.users.cognito_user_id. Default: the env file's AWS_COGNITO_USER_POOL_ID, then $env:AWS_COGNITO_USER_POOL_ID.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserPoolId { get; set; }

    /// <summary><para type="description">Allow KillConnections and Drop against a host that is not local (not localhost, 127.0.0.0/8, ::1 or the compose service db), and, as in AWS.Tools, skip every confirmation prompt (-WhatIf still only tells).</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool Forced => Force;

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var values = EnvFile?.ReadValues();
            var url = DbConnectionSource.Resolve(ConnectionUrl, EnvFile, values, Environment);
            var steps = Step is null ? Enum.GetValues<DbSetupStep>() : Step.Select(Enum.Parse<DbSetupStep>).ToArray();
            var setup = new DbSetup(new DbSetupRequest(url, steps)
            {
                SchemaPath = GetUnresolvedProviderPathFromPSPath(SchemaPath),
                SeedPath = GetUnresolvedProviderPathFromPSPath(SeedPath),
                UserPoolId = UserPoolId ?? DbConnectionSource.Lookup("AWS_COGNITO_USER_POOL_ID", values),
                Force = Force,
                Aws = Aws,
            });
            var confirmed = Run((host, _) => Task.FromResult(setup.Prepare(host)));
            if (confirmed.Any(s => s is DbSetupStep.KillConnections or DbSetupStep.Drop) && !Force && AsksForHighImpact()
                && !ShouldContinue($"Terminate the connections to '{url.Database}' at {url.Host}:{url.Port} and drop it? Its data is lost.", "Drop the database"))
            {
                return;
            }

            foreach (var step in confirmed)
            {
                WriteObject(Run((host, token) => setup.RunAsync(step, host, token)));
            }
        });
    }

    // KillConnections and Drop are high impact: with the default $ConfirmPreference (High) they ask, although the other
    // steps (medium) do not. ShouldProcess has already asked when -Confirm was given or the preference is lower.
    private bool AsksForHighImpact()
    {
        if (MyInvocation.BoundParameters.ContainsKey("Confirm") || MyInvocation.BoundParameters.ContainsKey("WhatIf"))
        {
            return false;
        }

        return LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var preference) && preference == ConfirmImpact.High;
    }
}
