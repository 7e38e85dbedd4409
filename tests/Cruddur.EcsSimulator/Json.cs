using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

internal static class Json
{
    public static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static int? Int(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }
        return v.TryGetValue<int>(out var i) ? i : (int)v.GetValue<double>();
    }

    public static double? Double(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    public static bool? Bool(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static List<string> StrList(JsonObject o, string key) =>
        (o[key] as JsonArray ?? []).Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null)
            .Where(s => s is not null).Select(s => s!).ToList();

    public static JsonNode? Clone(JsonNode? n) => n?.DeepClone();

    public static JsonValue Time(double epochSeconds) => JsonValue.Create(Math.Round(epochSeconds, 3));

    public static void Put(JsonObject o, string key, JsonNode? value)
    {
        if (value is not null)
        {
            o[key] = value;
        }
    }

    public static void PutTime(JsonObject o, string key, double? t)
    {
        if (t is { } v)
        {
            o[key] = Time(v);
        }
    }

    public static void PutStr(JsonObject o, string key, string? s)
    {
        if (s is not null)
        {
            o[key] = s;
        }
    }

    public static JsonArray Array(IEnumerable<JsonNode?> items)
    {
        var a = new JsonArray();
        foreach (var i in items)
        {
            a.Add(i);
        }
        return a;
    }

    public static JsonArray StrArray(IEnumerable<string> items) => Array(items.Select(s => (JsonNode?)JsonValue.Create(s)));
}
