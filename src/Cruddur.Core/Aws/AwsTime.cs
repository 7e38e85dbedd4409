using System.Globalization;
using System.Text.Json.Nodes;

namespace Cruddur.Core.Aws;

/// <summary>The one place AWS timestamps are read: JSON protocols send epoch seconds (with fractions), some answers ISO-8601 text.</summary>
internal static class AwsTime
{
    /// <summary>The time, or null when the value is absent or not a timestamp.</summary>
    public static DateTimeOffset? Parse(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<double>(out var seconds) => FromSeconds(seconds),
        JsonValue v when v.TryGetValue<long>(out var whole) => FromSeconds(whole),
        JsonValue v when v.TryGetValue<string>(out var text) => Parse(text),
        _ => null,
    };

    /// <summary>ISO-8601 text (UTC when no offset is given) or epoch seconds written as text.</summary>
    public static DateTimeOffset? Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? FromSeconds(seconds)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
        : null;

    private static DateTimeOffset? FromSeconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < 253402300799 ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)) : null;
}
