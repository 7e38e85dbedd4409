using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Arguments;

/// <summary>Completes -Region with the regions AWSSDK.Core knows.</summary>
public sealed class AwsRegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(AwsNames.Regions(), wordToComplete);
}

/// <summary>Completes -ProfileName with the profiles in ~/.aws/config and ~/.aws/credentials.</summary>
public sealed class AwsProfileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(AwsNames.Profiles(), wordToComplete);
}

/// <summary>Completes -Service with the services of the -Cluster being typed (default cruddur); quick, and silent on failure.</summary>
public sealed class EcsServiceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cluster = fakeBoundParameters["Cluster"] as string ?? SeedDefaults.Cluster;
        return AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => AwsCompletion.Named(await app.ServiceNamesAsync(cluster, token).ConfigureAwait(false)));
    }
}

/// <summary>Completes -Cluster with the account's ECS clusters.</summary>
public sealed class EcsClusterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => AwsCompletion.Named(await app.ClusterNamesAsync(token).ConfigureAwait(false)));
}

/// <summary>Completes -TaskDefinition with the active revisions (family:revision) of the service's family (the seed names them alike), newest first.</summary>
public sealed class EcsTaskDefinitionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        var family = typed.Contains(':', StringComparison.Ordinal) ? typed[..typed.IndexOf(':', StringComparison.Ordinal)] : AwsCompletion.Service(fakeBoundParameters) ?? typed;
        return AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => AwsCompletion.Named(await app.ActiveRevisionNamesAsync(family, token).ConfigureAwait(false)), ordered: false);
    }
}

/// <summary>Completes -TaskArn with the ids of the running tasks of the -Cluster (and -Service) being typed.</summary>
public sealed class EcsTaskCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cluster = fakeBoundParameters["Cluster"] as string ?? SeedDefaults.Cluster;
        return AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => AwsCompletion.Named(await app.TaskIdsAsync(cluster, AwsCompletion.Service(fakeBoundParameters), token).ConfigureAwait(false)));
    }
}

/// <summary>Completes -ContainerName / -Container with the containers of the service's current task definition.</summary>
public sealed class EcsContainerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cluster = fakeBoundParameters["Cluster"] as string ?? SeedDefaults.Cluster;
        return AwsCompletion.Service(fakeBoundParameters) is { } service
            ? AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => AwsCompletion.Named(await app.ContainerNamesAsync(cluster, service, token).ConfigureAwait(false)))
            : [];
    }
}

/// <summary>Completes -LoadBalancerName with the region's load balancers.</summary>
public sealed class LoadBalancerNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => AwsCompletion.Named(await app.LoadBalancerNamesAsync(token).ConfigureAwait(false)));
}

/// <summary>Completes -Domain with the account's public hosted zones (each zone's id as its tooltip).</summary>
public sealed class HostedZoneNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => (await app.PublicHostedZonesAsync(token).ConfigureAwait(false)).Select(z => (z.Name, z.Id)));
}

/// <summary>Completes -HostedZoneId with the ids of the account's public hosted zones, those named -Domain first when it is given (each zone's name as its tooltip).</summary>
public sealed class HostedZoneIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var domain = (fakeBoundParameters["Domain"] as string)?.TrimEnd('.');
        return AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => (await app.PublicHostedZonesAsync(token).ConfigureAwait(false))
            .Where(z => domain is null || string.Equals(z.Name, domain, StringComparison.OrdinalIgnoreCase)).Select(z => (z.Id, z.Name)));
    }
}

/// <summary>Completes -GroupName with the region's security groups (each group's id as its tooltip).</summary>
public sealed class SecurityGroupNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => (await app.SecurityGroupsAsync(token).ConfigureAwait(false)).Select(g => (g.Name, g.Id)));
}

/// <summary>Completes -GroupId with the ids of the region's security groups (each group's name as its tooltip).</summary>
public sealed class SecurityGroupIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsCompletion.Complete(fakeBoundParameters, wordToComplete, async (app, token) => (await app.SecurityGroupsAsync(token).ConfigureAwait(false)).Select(g => (g.Id, g.Name)));
}

/// <summary>Completion from AWS: quick (2 s at most), in name order unless the list has its own, and silent on failure.</summary>
internal static class AwsCompletion
{
    /// <summary>The -Service being typed (the first, where several are allowed).</summary>
    public static string? Service(IDictionary bound) => bound["Service"] switch
    {
        string one => one,
        object[] several => several.FirstOrDefault() as string,
        _ => null,
    };

    /// <summary>The candidates that start with <paramref name="word"/>; <paramref name="list"/> reads each one's text and tooltip with the -Region, -ProfileName and -EndpointUrl in <paramref name="bound"/>.</summary>
    public static IEnumerable<CompletionResult> Complete(IDictionary bound, string word, Func<CruddurApp, CancellationToken, Task<IEnumerable<(string Text, string ToolTip)>>> list, bool ordered = true)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var app = CruddurApp.Silent(new AwsContext(new AwsSettings(bound["Region"] as string, bound["ProfileName"] as string, bound["EndpointUrl"] as string)
            {
                PowerShell = AwsCmdlet.RunningPowerShell,
            }));
            var candidates = Task.Run(() => list(app, timeout.Token)).GetAwaiter().GetResult();
            var typed = word.Trim('\'', '"');
            var matching = candidates.Where(c => c.Text.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).DistinctBy(c => c.Text);
            return (ordered ? matching.OrderBy(c => c.Text, StringComparer.Ordinal) : matching)
                .Select(c => new CompletionResult(c.Text, c.Text, CompletionResultType.ParameterValue, c.ToolTip)).ToList();
        }
        catch (Exception)
        {
            return []; // completion must never fail loudly: no credentials, no network, no permission
        }
    }

    /// <summary>Candidates whose tooltip is their name.</summary>
    public static IEnumerable<(string Text, string ToolTip)> Named(IEnumerable<string> names) => names.Select(n => (n, n));
}
