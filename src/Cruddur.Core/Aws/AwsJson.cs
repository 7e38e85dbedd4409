using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cruddur.Core.Aws;

/// <summary>What a JSON field of an AWS answer must be when present.</summary>
internal enum AwsJsonType
{
    Text,
    Number,
    Bool,
    Object,
    Array,

    /// <summary>Epoch seconds or ISO-8601 text (see <see cref="AwsTime"/>).</summary>
    Time,
}

/// <summary>
/// Reading JSON answers inside a call's attempt: a field of the wrong type throws FormatException, which the translator
/// turns into AwsResponseInvalid. Absent and null fields are allowed unless a reader says "required".
/// </summary>
internal static class AwsJson
{
    /// <summary>A required text field.</summary>
    public static string Text(JsonNode? parent, string name) =>
        OptionalText(parent, name) ?? throw new FormatException($"'{name}' is missing");

    /// <summary>The node's text, or null when it is absent or not text (for input that is validated, not trusted).</summary>
    public static string? TextOrNull(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static string? OptionalText(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException($"'{name}' is not text"),
    };

    public static int? OptionalInt(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue => (int)d,
        _ => throw new FormatException($"'{name}' is not a whole number"),
    };

    public static double? OptionalDouble(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) => d,
        _ => throw new FormatException($"'{name}' is not a number"),
    };

    public static bool? OptionalBool(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw new FormatException($"'{name}' is not true or false"),
    };

    public static JsonObject? OptionalObject(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => null,
        JsonObject o => o,
        _ => throw new FormatException($"'{name}' is not an object"),
    };

    public static JsonArray? OptionalArray(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => null,
        JsonArray a => a,
        _ => throw new FormatException($"'{name}' is not a list"),
    };

    /// <summary>The objects of an array field (none when absent).</summary>
    public static IReadOnlyList<JsonObject> Objects(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => [],
        JsonArray a => a.Select(item => item as JsonObject ?? throw new FormatException($"'{name}' holds something other than objects")).ToList(),
        _ => throw new FormatException($"'{name}' is not a list"),
    };

    /// <summary>The text items of an array field (none when absent).</summary>
    public static IReadOnlyList<string> Texts(JsonNode? parent, string name) => Field(parent, name) switch
    {
        null => [],
        JsonArray a => a.Select(item => item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new FormatException($"'{name}' holds something other than text")).ToList(),
        _ => throw new FormatException($"'{name}' is not a list"),
    };

    /// <summary>
    /// Checks the fields that the module reads from an object it passes on as JSON (a service, a task): each path
    /// (<c>deployments[].runningCount</c>, <c>[]</c> = every item of a list) must have its type where present.
    /// </summary>
    public static JsonObject Check(JsonObject value, IReadOnlyList<(string Path, AwsJsonType Type)> shape)
    {
        foreach (var (path, type) in shape)
        {
            Walk(value, path.Split('.'), 0, type, path);
        }

        return value;
    }

    private static void Walk(JsonNode? node, string[] segments, int index, AwsJsonType type, string path)
    {
        var segment = segments[index];
        var list = segment.EndsWith("[]", StringComparison.Ordinal);
        var child = Field(node, list ? segment[..^2] : segment);
        if (child is null)
        {
            return;
        }

        var last = index == segments.Length - 1;
        if (list)
        {
            foreach (var item in child as JsonArray ?? throw new FormatException($"'{path}' is not a list"))
            {
                if (last)
                {
                    Expect(item, type, path);
                }
                else
                {
                    Walk(item as JsonObject ?? throw new FormatException($"'{path}' holds something other than objects"), segments, index + 1, type, path);
                }
            }
        }
        else if (last)
        {
            Expect(child, type, path);
        }
        else
        {
            Walk(child as JsonObject ?? throw new FormatException($"'{path}' is not an object"), segments, index + 1, type, path);
        }
    }

    private static void Expect(JsonNode? node, AwsJsonType type, string path)
    {
        var kind = node?.GetValueKind() ?? JsonValueKind.Null;
        var ok = kind == JsonValueKind.Null || type switch
        {
            AwsJsonType.Text => kind == JsonValueKind.String,
            AwsJsonType.Number => kind == JsonValueKind.Number,
            AwsJsonType.Bool => kind is JsonValueKind.True or JsonValueKind.False,
            AwsJsonType.Object => kind == JsonValueKind.Object,
            AwsJsonType.Array => kind == JsonValueKind.Array,
            AwsJsonType.Time => kind == JsonValueKind.Number || (kind == JsonValueKind.String && AwsTime.Parse(node) is not null),
            _ => false,
        };
        if (!ok)
        {
            throw new FormatException($"'{path}' is not {type.ToString().ToLowerInvariant()}");
        }
    }

    private static JsonNode? Field(JsonNode? parent, string name) => parent switch
    {
        null => null,
        JsonObject o => o[name],
        _ => throw new FormatException($"expected an object holding '{name}'"),
    };
}
