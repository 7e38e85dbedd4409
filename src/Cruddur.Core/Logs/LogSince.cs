using System.Globalization;
using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>-Since: a duration back from now (10m, 2h, 1h30m, 45s, 1d) or a point in time.</summary>
public static partial class LogSince
{
    [GeneratedRegex(@"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Duration();

    /// <summary>Parses <paramref name="text"/> against <paramref name="now"/>; a time without an offset is local time.</summary>
    public static DateTimeOffset Parse(string text, DateTimeOffset now)
    {
        var m = Duration().Match(text);
        if (m.Success && text.Trim().Length > 0)
        {
            var span = TimeSpan.FromDays(Part(m, 1)) + TimeSpan.FromHours(Part(m, 2)) + TimeSpan.FromMinutes(Part(m, 3)) + TimeSpan.FromSeconds(Part(m, 4));
            return Check(now - span, now, text);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            || DateTimeOffset.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out time))
        {
            return Check(time, now, text);
        }

        throw new CruddurException(ErrorIds.LogSinceInvalid, ErrorKind.InvalidArgument,
            $"'{text}' is neither a duration nor a time: a start is a duration back from now such as 10m, 2h, 1h30m, 45s or 1d, or a time such as '2026-11-30 09:00' or (Get-Date).AddMinutes(-5).", target: text);
    }

    /// <summary>A start time must not lie in the future: nothing could be found.</summary>
    public static DateTimeOffset Check(DateTimeOffset since, DateTimeOffset now, object? target = null)
    {
        // A little slack: a time typed as "now" must not fail because a second passed.
        if (since > now + TimeSpan.FromSeconds(5))
        {
            throw new CruddurException(ErrorIds.LogSinceInFuture, ErrorKind.InvalidArgument,
                $"The start {since.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz} is in the future (now is {now.ToLocalTime():yyyy-MM-dd HH:mm:ss zzz}); nothing could be found after it.", target: target ?? since);
        }

        return since;
    }

    private static int Part(Match m, int group) => m.Groups[group].Success ? int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
}
