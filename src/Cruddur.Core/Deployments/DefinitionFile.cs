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
internal static class DefinitionFile
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
            throw new CruddurException(ErrorIds.DeployDefinitionFileNotFound, ErrorKind.ObjectNotFound,
                $"The definition file '{path}' does not exist. Pass the path of a JSON file such as {SeedDefaults.TaskDefinitionFile(SeedDefaults.BackendService)}.", target: path);
        }

        return Parse(File.ReadAllText(path, Encoding.UTF8), path, lookup);
    }

    /// <summary>The placeholder names a definition file uses, so callers can fetch expensive values (the account id) only when needed.</summary>
    public static IReadOnlyList<string> Placeholders(string path) =>
        File.Exists(path) ? ErbTemplate.Parse(File.ReadAllText(path, Encoding.UTF8), path).VariableNames : [];

    public static JsonObject Parse(string text, string source, Func<string, string?> lookup)
    {
        string rendered;
        try
        {
            rendered = ErbTemplate.Parse(text, source).Render(name => lookup(name) is { } v ? JsonEscape(v) : null, allowMissing: false);
        }
        catch (MissingVariablesException e)
        {
            // Deploy-CruddurService fills placeholders from the environment (AWS_ACCOUNT_ID and AWS_REGION also from AWS): say so.
            throw new CruddurException(ErrorIds.DeployDefinitionVariableMissing, ErrorKind.ObjectNotFound,
                $"{source} uses {e.Names.Count} placeholder(s) with no value: {string.Join(", ", e.Names)}. Set them as environment variables before deploying (for example $env:{e.Names[0]} = '...'); AWS_ACCOUNT_ID and AWS_REGION are also looked up from your AWS credentials and region. Nothing was registered.",
                target: source);
        }

        JsonNode? node;
        try
        {
            node = JsonSerializer.Deserialize<JsonNode>(rendered, Options);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var path = PathAtError(rendered);
            var where = path == "$" ? string.Empty : $" (at {path})";
            throw new CruddurException(ErrorIds.DeployDefinitionInvalidJson, ErrorKind.InvalidData,
                $"{source}:{line}: not valid JSON{where}: {FirstSentence(e.Message)} Fix the file and run the command again; nothing was registered.", e, source)
            {
                Data = { ["Line"] = line, ["Path"] = path },
            };
        }

        return node as JsonObject ?? throw new CruddurException(ErrorIds.DeployDefinitionInvalidJson, ErrorKind.InvalidData,
            $"{source}: the file must hold one JSON object ({{ ... }}), as register-task-definition --cli-input-json expects.", target: source);
    }

    /// <summary>The JSON path (e.g. $.containerDefinitions[1].healthCheck) of the last place read before a syntax error.</summary>
    private static string PathAtError(string text)
    {
        var frames = new List<(bool IsArray, int Index, string? Property)>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        void CountElement()
        {
            if (frames.Count > 0 && frames[^1].IsArray)
            {
                frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
            }
        }

        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        CountElement();
                        frames.Add((reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        frames[^1] = frames[^1] with { Property = reader.GetString() };
                        break;
                    default:
                        CountElement();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Where it stopped is what we want.
        }

        return "$" + string.Concat(frames.Select(f => f.IsArray ? (f.Index >= 0 ? $"[{f.Index}]" : string.Empty) : (f.Property is null ? string.Empty : "." + f.Property)));
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
