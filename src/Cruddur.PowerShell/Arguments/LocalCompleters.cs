using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Cruddur.Core;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Infrastructure;

namespace Cruddur.PowerShell.Arguments;

/// <summary>Completes -Service with the seed's two services.</summary>
public sealed class SeedServiceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(SeedDefaults.Services, wordToComplete);
}

/// <summary>Completes -Repository with the seed's repositories.</summary>
public sealed class SeedRepositoryCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(SeedDefaults.Repositories, wordToComplete);
}

/// <summary>Completes -Engine with the container engines on PATH.</summary>
public sealed class EngineCompleter : IArgumentCompleter
{
    private static readonly string[] Engines = ["docker", "podman", "nerdctl"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator);
        return Completion.Matching(Engines.Where(n => path.Any(d => File.Exists(Path.Combine(d, n)))), wordToComplete);
    }
}

/// <summary>Completes -LogRetentionDays with the values CloudWatch Logs accepts.</summary>
public sealed class LogRetentionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(InfrastructurePlan.RetentionDays.Select(d => d.ToString(CultureInfo.InvariantCulture)), wordToComplete);
}

/// <summary>Completes -Name with the keys of the env file given to -EnvFile or piped in ($envFile | Set-CruddurParameter -Name …).</summary>
public sealed class EnvFileKeyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var bound = fakeBoundParameters["EnvFile"] ?? Piped(commandAst);
        var value = bound is PSObject wrapped ? wrapped.BaseObject : bound;
        IReadOnlyList<string> keys;
        try
        {
            keys = value switch
            {
                EnvFile file => file.Keys,
                string path => EnvFile.Open(ResolveInSession(path)).Keys,
                _ => [],
            };
        }
        catch (CruddurException)
        {
            keys = [];
        }

        return Completion.Matching(keys, wordToComplete);
    }

    // What the pipeline's previous element is, when that is a variable or a literal path (evaluating anything else could run code).
    private static object? Piped(CommandAst command)
    {
        if (command.Parent is not PipelineAst pipeline || pipeline.PipelineElements.IndexOf(command) is var index && index < 1
            || pipeline.PipelineElements[index - 1] is not CommandExpressionAst previous)
        {
            return null;
        }

        return previous.Expression switch
        {
            StringConstantExpressionAst path => path.Value,
            VariableExpressionAst variable when !variable.VariablePath.IsDriveQualified =>
                System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace)
                    .AddCommand("Get-Variable").AddParameter("Name", variable.VariablePath.UserPath).AddParameter("ValueOnly").AddParameter("ErrorAction", "Ignore")
                    .Invoke().FirstOrDefault(),
            _ => null,
        };
    }

    // A relative path is relative to PowerShell's location, which is not the process's current directory.
    private static string ResolveInSession(string path)
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        var resolved = shell.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(path).Invoke();
        return resolved.Count == 1 ? resolved[0].ToString() : path;
    }
}
