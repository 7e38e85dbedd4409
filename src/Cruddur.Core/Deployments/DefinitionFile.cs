using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Reads the seed's task and service definition files (what <c>aws ecs ... --cli-input-json</c> accepts): ERB placeholders
/// such as <c>&lt;%= ENV['AWS_ACCOUNT_ID'] %&gt;</c> are filled first, trailing commas are accepted (the seed's frontend file
/// has one), any other syntax error names the line and the property path.
/// </summary>
public static class DefinitionFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>
    /// Loads <paramref name="path"/>. <paramref name="lookup"/> supplies placeholder values (null = unset); values are
    /// JSON-escaped, so a quote in a value cannot break the document.
    /// </summary>
    public static JsonObject Load(string path, Func<string, string?> lookup)
    {
        if (!File.Exists(path))
        {
            throw new CruddurException("DeployDefinitionFileNotFound", ErrorKind.ObjectNotFound,
                $"The definition file '{path}' does not exist. Pass the path of a JSON file such as aws/task-definitions/backend-flask.json.", target: path);
        }

        return Parse(File.ReadAllText(path, Encoding.UTF8), path, lookup);
    }

    /// <summary>The placeholder names a definition file uses, so callers can fetch expensive values (the account id) only when needed.</summary>
    public static IReadOnlyList<string> Placeholders(string path) =>
        File.Exists(path) ? ErbTemplate.Parse(File.ReadAllText(path, Encoding.UTF8), path).VariableNames : [];

    public static JsonObject Parse(string text, string source, Func<string, string?> lookup)
    {
        var rendered = ErbTemplate.Parse(text, source).Render(name => lookup(name) is { } v ? JsonEscape(v) : null, allowMissing: false);
        JsonNode? node;
        try
        {
            node = JsonSerializer.Deserialize<JsonNode>(rendered, Options);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? string.Empty : $" (at {e.Path})";
            throw new CruddurException("DeployDefinitionInvalidJson", ErrorKind.InvalidData,
                $"{source}:{line}: not valid JSON{where}: {FirstSentence(e.Message)} Fix the file and run the command again; nothing was registered.", e, source)
            {
                Data = { ["Line"] = line, ["Path"] = e.Path },
            };
        }

        return node as JsonObject ?? throw new CruddurException("DeployDefinitionInvalidJson", ErrorKind.InvalidData,
            $"{source}: the file must hold one JSON object ({{ ... }}), as register-task-definition --cli-input-json expects.", target: source);
    }

    private static string JsonEscape(string value)
    {
        var quoted = JsonSerializer.Serialize(value);
        return quoted[1..^1];
    }

    // System.Text.Json appends "Path: $ | LineNumber: 3 | BytePositionInLine: 5." which the message already says better.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
