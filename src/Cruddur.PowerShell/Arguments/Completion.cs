using System.Management.Automation;

namespace Cruddur.PowerShell.Arguments;

internal static class Completion
{
    /// <summary>The names that start with what was typed, in the order given.</summary>
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> names, string word) =>
        names.Where(n => n.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Select(n => new CompletionResult(n));
}
