using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Completes -Service with the services of the -Cluster being typed (default cruddur); quick, and silent on failure.</summary>
public sealed class EcsServiceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cluster = fakeBoundParameters["Cluster"] as string ?? DeployCruddurServiceCommand.DefaultCluster;
        return EcsCompletion.Complete(fakeBoundParameters, wordToComplete, (ecs, token) => EcsServices.ListAsync(ecs, cluster, token));
    }
}

/// <summary>Completes -Cluster with the account's ECS clusters.</summary>
public sealed class EcsClusterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        EcsCompletion.Complete(fakeBoundParameters, wordToComplete, EcsServices.ListClustersAsync);
}

internal static class EcsCompletion
{
    public static IEnumerable<CompletionResult> Complete(IDictionary bound, string word, Func<IAwsJsonApi, CancellationToken, Task<IReadOnlyList<string>>> list)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var aws = new AwsContext(new AwsSettings(bound["Region"] as string, bound["ProfileName"] as string, bound["EndpointUrl"] as string));
            var names = Task.Run(() => list(new AwsJsonClient(aws, AwsService.Ecs, SilentHost.Instance), timeout.Token)).GetAwaiter().GetResult();
            return names.Where(n => n.StartsWith(word.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
                .Select(n => new CompletionResult(n)).ToList();
        }
        catch (Exception)
        {
            return []; // completion must never fail loudly: no credentials, no network, no cluster
        }
    }
}

/// <summary>Lets -Timeout take a number of seconds (900) as well as a TimeSpan ('00:15:00'); a bare number would otherwise be ticks.</summary>
public sealed class SecondsArgumentAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int or long or double or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
            _ => inputData,
        };
    }
}

/// <summary>Checks at binding that a duration lies in [<c>minSeconds</c>, <c>maxSeconds</c>]: -Timeout 0 or -5 would end a watch at once.</summary>
public sealed class ValidateDurationAttribute(double minSeconds, double maxSeconds) : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is not TimeSpan span || span < TimeSpan.FromSeconds(minSeconds) || span > TimeSpan.FromSeconds(maxSeconds))
        {
            throw new ValidationMetadataException(
                $"The duration '{value}' is not between {TimeSpan.FromSeconds(minSeconds)} and {TimeSpan.FromSeconds(maxSeconds)}. Pass a number of seconds (such as 900) or a TimeSpan (such as '00:15:00') in that range.");
        }
    }
}

internal static class WatchStopping
{
    /// <summary>
    /// Ends a cmdlet whose watch was stopped by Ctrl+C. The pipeline refuses output by then, so the message goes to the host's
    /// UI (what a console user sees) and rides on the PipelineStoppedException (what a script hosting PowerShell sees).
    /// </summary>
    public static void StopWithMessage(this PSCmdlet cmdlet, Func<string?> message)
    {
        // The pipeline thread can see the stop (a refused WriteProgress) before the worker has composed the message.
        if (!SpinWait.SpinUntil(() => message() is not null, TimeSpan.FromMilliseconds(500)))
        {
            return;
        }

        var text = message()!;
        try
        {
            cmdlet.WriteWarning(text);
        }
        catch (PipelineStoppedException)
        {
            cmdlet.Host?.UI?.WriteWarningLine(text);
        }

        throw new PipelineStoppedException(text);
    }
}
