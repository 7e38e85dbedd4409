using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>The build arguments a Dockerfile declares (its ARG instructions, in every stage).</summary>
internal static partial class DockerfileArgs
{
    /// <summary>The names declared with ARG (ARG NAME, ARG NAME=default, ARG A B), continuation lines joined.</summary>
    public static IReadOnlySet<string> Read(string dockerfilePath)
    {
        string text;
        try
        {
            text = File.ReadAllText(dockerfilePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CruddurException(ErrorIds.ImageDockerfileNotFound, ErrorKind.ObjectNotFound,
                $"The Dockerfile '{dockerfilePath}' cannot be read: {e.Message}.", e, dockerfilePath);
        }

        return Parse(text);
    }

    public static IReadOnlySet<string> Parse(string text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instruction in Instructions(text))
        {
            var match = ArgInstruction().Match(instruction);
            if (!match.Success)
            {
                continue;
            }

            foreach (Match declared in ArgDeclaration().Matches(match.Groups[1].Value))
            {
                names.Add(declared.Groups[1].Value);
            }
        }

        return names;
    }

    // Logical lines: comments dropped, lines ending in a backslash joined to the next (the default escape character).
    private static IEnumerable<string> Instructions(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line, 0, line.Length - 1).Append(' ');
                continue;
            }

            current.Append(line);
            yield return current.ToString();
            current.Clear();
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    [GeneratedRegex(@"^\s*ARG\s+(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ArgInstruction();

    // NAME, NAME=value, NAME="quoted value" or NAME='quoted value'.
    [GeneratedRegex(@"\G\s*([A-Za-z_][A-Za-z0-9_]*)(?:=(?:""[^""]*""|'[^']*'|\S*))?")]
    private static partial Regex ArgDeclaration();
}
