using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Cruddur.Core.Aws;

namespace Cruddur.PowerShell.Hosting;

/// <summary>Completes -Region with the regions AWSSDK.Core knows.</summary>
public sealed class AwsRegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsNames.Regions().Where(r => r.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase)).Select(r => new CompletionResult(r));
}

/// <summary>Completes -ProfileName with the profiles in ~/.aws/config and ~/.aws/credentials.</summary>
public sealed class AwsProfileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        AwsNames.Profiles().Where(p => p.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase)).Select(p => new CompletionResult(p));
}
