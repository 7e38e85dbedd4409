using System.Diagnostics;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// Ctrl+C while session-manager-plugin runs attached: the SIGINT a terminal sends to the whole foreground group reaches this
/// process too, and must not stop it (the plugin passes the key on to the remote shell). Signals are process-wide: alone.
/// Each observer cancels the signal itself, so this test process survives whatever the code under test does.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class PluginCtrlCTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task CtrlCWhileThePluginRunsIsSwallowedAndAfterwardsIsNot()
    {
        Assert.False(ProcessEnvironment.Ignores(2), "this test process ignores SIGINT (started in the background without job control): run it as build.ps1 does");
        var dir = Directory.CreateTempSubdirectory("smp-").FullName;
        try
        {
            // The plugin sends SIGINT to this process when told to, and ends when told the signal was seen.
            var plugin = SessionManagerPluginTests.FakePlugin(dir, $"""
                touch '{dir}/started'
                while [ ! -e '{dir}/go' ]; do sleep 0.02; done
                kill -INT $PPID
                while [ ! -e '{dir}/seen' ]; do sleep 0.02; done
                exit 0
                """);
            var launch = SessionManagerPlugin.Launch(new ExecuteCommandSession(null, null, null), "us-east-1", null, "c", "t", "r", new Uri("https://ecs.us-east-1.amazonaws.com/"));
            var running = SessionManagerPlugin.RunAttachedAsync(plugin, launch);
            Assert.True(await Eventually.TrueAsync(() => File.Exists(Path.Combine(dir, "started"))), "the plugin did not start");

            var cancelledWhileRunning = await CancelSeenAsync(() => File.Create(Path.Combine(dir, "go")).Dispose());
            File.Create(Path.Combine(dir, "seen")).Dispose();
            Assert.Equal(0, await running.WaitAsync(TimeSpan.FromSeconds(15)));
            var cancelledAfter = await CancelSeenAsync(() => Process.Start("kill", ["-INT", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit());

            Assert.True(cancelledWhileRunning, "Ctrl+C while the plugin ran would have stopped PowerShell");
            Assert.False(cancelledAfter, "Ctrl+C after the session is still swallowed");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Whether the handlers before this observer cancelled the SIGINT that <paramref name="send"/> causes.</summary>
    private static async Task<bool> CancelSeenAsync(Action send)
    {
        var seen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        ConsoleCancelEventHandler observer = (_, e) =>
        {
            seen.TrySetResult(e.Cancel);
            e.Cancel = true;
        };
        Console.CancelKeyPress += observer;
        try
        {
            send();
            return await seen.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            Console.CancelKeyPress -= observer;
        }
    }
}
