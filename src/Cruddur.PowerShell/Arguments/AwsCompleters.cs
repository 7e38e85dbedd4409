using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Cruddur.Core;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

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
        return EcsCompletion.Complete(fakeBoundParameters, wordToComplete, (ecs, token) => ecs.ListServiceNamesAsync(cluster, token));
    }
}

/// <summary>Completes -Cluster with the account's ECS clusters.</summary>
public sealed class EcsClusterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        EcsCompletion.Complete(fakeBoundParameters, wordToComplete, (ecs, token) => ecs.ListClusterNamesAsync(token));
}

/// <summary>Completes -TaskDefinition with the active revisions (family:revision) of the service's family (the seed names them alike).</summary>
public sealed class EcsTaskDefinitionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = wordToComplete.Trim('\'', '"');
        var family = typed.Contains(':', StringComparison.Ordinal) ? typed[..typed.IndexOf(':', StringComparison.Ordinal)] : EcsCompletion.Service(fakeBoundParameters) ?? typed;
        return EcsCompletion.Complete(fakeBoundParameters, wordToComplete, (ecs, token) => EcsServices.ActiveRevisionNamesAsync(ecs, family, token), ordered: false);
    }
}

/// <summary>Completes -TaskArn with the ids of the running tasks of the -Cluster (and -Service) being typed.</summary>
public sealed class EcsTaskCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cluster = fakeBoundParameters["Cluster"] as string ?? SeedDefaults.Cluster;
        return EcsCompletion.Complete(fakeBoundParameters, wordToComplete, (ecs, token) => EcsServices.ListTaskIdsAsync(ecs, cluster, EcsCompletion.Service(fakeBoundParameters), token));
    }
}

/// <summary>Completes -ContainerName / -Container with the containers of the service's current task definition.</summary>
public sealed class EcsContainerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cluster = fakeBoundParameters["Cluster"] as string ?? SeedDefaults.Cluster;
        return EcsCompletion.Service(fakeBoundParameters) is { } service
            ? EcsCompletion.Complete(fakeBoundParameters, wordToComplete, (ecs, token) => EcsServices.ContainerNamesAsync(ecs, cluster, service, token))
            : [];
    }
}

internal static class EcsCompletion
{
    /// <summary>The -Service being typed (the first, where several are allowed).</summary>
    public static string? Service(IDictionary bound) => bound["Service"] switch
    {
        string one => one,
        object[] several => several.FirstOrDefault() as string,
        _ => null,
    };

    public static IEnumerable<CompletionResult> Complete(IDictionary bound, string word, Func<IEcsClient, CancellationToken, Task<IReadOnlyList<string>>> list, bool ordered = true)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var aws = new AwsContext(new AwsSettings(bound["Region"] as string, bound["ProfileName"] as string, bound["EndpointUrl"] as string));
            var names = Task.Run(() => list(new EcsClient(aws, SilentHost.Instance), timeout.Token)).GetAwaiter().GetResult();
            return Completion.Matching(ordered ? names.Order(StringComparer.Ordinal) : names, word.Trim('\'', '"')).ToList();
        }
        catch (Exception)
        {
            return []; // completion must never fail loudly: no credentials, no network, no cluster
        }
    }
}
