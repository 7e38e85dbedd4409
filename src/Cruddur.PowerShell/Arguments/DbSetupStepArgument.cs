using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Cruddur.Core.Database;

namespace Cruddur.PowerShell.Arguments;

/// <summary>
/// -Step's valid values, read from the DbSetupStep enum so the names live in one place. A ValidateSet literal would repeat
/// them, a Core enum as the parameter type breaks Import-Module (Core loads in its own context after the cmdlet types are
/// reflected), and IValidateSetValuesGenerator is not in PowerShellStandard.Library: so a check and a completer, which only
/// touch the enum when a value is bound or completed.
/// </summary>
public sealed class ValidateDbSetupStepAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        var value = (element is PSObject wrapped ? wrapped.BaseObject : element) as string;
        if (value is null || !DbSetupStepNames.All.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            throw new ValidationMetadataException(
                $"The step '{value}' is not one of {string.Join(", ", DbSetupStepNames.All)}. Pass one or more of them, in any order (they run in that order).");
        }
    }
}

/// <summary>Completes -Step with the DbSetupStep names.</summary>
public sealed class DbSetupStepCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(DbSetupStepNames.All, wordToComplete);
}

internal static class DbSetupStepNames
{
    public static IReadOnlyList<string> All => Enum.GetNames(typeof(DbSetupStep));
}
