using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests;

public sealed class CruddurExceptionTests
{
    [Fact]
    public void AHintIsAddedToTheMessageOnce_AndTheErrorKeepsItsTypeAndExitCode()
    {
        var e = new PluginExitException(3, "ecs:cruddur_t_r");

        var hinted = e.WithHint("Leave out -UsePlugin to get it.").WithHint("Leave out -UsePlugin to get it.");

        var plugin = Assert.IsType<PluginExitException>(hinted);
        Assert.Equal(3, plugin.ExitCode);
        Assert.Equal(ErrorIds.ExecPluginFailed, plugin.ErrorId);
        Assert.EndsWith("exit code. Leave out -UsePlugin to get it.", plugin.Message, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(plugin.Message, "UsePlugin"));
    }

    [Fact]
    public void AHintIsRedactedLikeTheMessage()
    {
        var e = new CruddurException("X", ErrorKind.InvalidArgument, "Wrong.").WithHint("Try postgresql://u:s3cret@h/db.");

        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }
}
