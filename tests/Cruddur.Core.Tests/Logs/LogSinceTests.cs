using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Tests.Logs;

public class LogSinceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("45s", 45)]
    [InlineData("1d", 86400)]
    [InlineData("1D 2H", 93600)]
    public void Durations_count_back_from_now(string text, int seconds) =>
        Assert.Equal(Now.AddSeconds(-seconds), LogSince.Parse(text, Now));

    [Fact]
    public void A_time_with_an_offset_is_taken_as_it_is() =>
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), LogSince.Parse("2026-11-30T09:00:00Z", Now));

    [Theory]
    [InlineData("yesterday-ish")]
    [InlineData("10 minutes")]
    [InlineData("")]
    [InlineData("m")]
    public void Text_that_is_neither_is_LogSinceInvalid(string text) =>
        Assert.Equal("LogSinceInvalid", Assert.Throws<CruddurException>(() => LogSince.Parse(text, Now)).ErrorId);

    [Fact]
    public void A_time_in_the_future_is_LogSinceInFuture()
    {
        var e = Assert.Throws<CruddurException>(() => LogSince.Parse("2026-12-01T00:00:00Z", Now));
        Assert.Equal("LogSinceInFuture", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }
}
