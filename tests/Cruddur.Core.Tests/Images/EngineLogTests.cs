using Cruddur.Core.Images;

namespace Cruddur.Core.Tests.Images;

public sealed class EngineLogTests
{
    [Fact]
    public void AFailuresTailQuotesOnlyTheLastFifteenLinesTheEngineWroteBlanksLeftOut()
    {
        var log = new EngineLog(new RecordingHost(), 1, "Building x");
        for (var i = 1; i <= 20; i++)
        {
            log.Observe(i is 18 or 19 ? "  " : $"line {i}", isError: false);
        }

        Assert.Equal([.. Enumerable.Range(6, 12).Select(i => $"line {i}"), "line 20"], log.Tail(15));
        Assert.Equal(["line 16", "line 17", "line 20"], log.Tail(3));
    }
}
