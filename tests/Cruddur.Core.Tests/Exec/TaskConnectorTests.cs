using System.Text.Json.Nodes;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

/// <summary>How failed -Check rows become the one error Connect-CruddurTask stops with, and what a failed command reports.</summary>
public sealed class TaskConnectorTests
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:123456789012:task/cruddur/0123456789abcdef0123456789abcdef";

    private static ExecPlan Plan(params ExecCheck[] checks) =>
        new(new ExecTarget("cruddur", "backend-flask", new JsonObject { ["taskArn"] = TaskArn }, "backend-flask"),
            new SessionManagerPluginInfo(null, null, "install it"), checks);

    [Fact]
    public void PassingWarningAndInformingChecksDoNotStopTheConnect()
    {
        Assert.Null(TaskConnector.PreflightFailure(Plan(
            ExecCheck.Pass(ExecPreflight.TaskRunningCheck, "ok"),
            ExecCheck.Warn(ExecPreflight.InitProcessCheck, "no init", "add it"),
            ExecCheck.Info(ExecPreflight.PluginCheck, "not needed"))));
    }

    [Theory]
    [InlineData(ExecPreflight.PluginCheck, ErrorIds.ExecPluginNotFound, ErrorKind.NotInstalled)]
    [InlineData(ExecPreflight.TaskRunningCheck, ErrorIds.ExecTaskNotRunning, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.ExecEnabledCheck, ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.AgentCheck, ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.TaskRoleCheck, ErrorIds.ExecPreflightFailed, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.ReadonlyRootCheck, ErrorIds.ExecPreflightFailed, ErrorKind.InvalidOperation)]
    public void TheFirstFailureGivesTheErrorIdAndEveryFailureIsNamedWithItsFix(string firstFailed, string errorId, ErrorKind kind)
    {
        var e = TaskConnector.PreflightFailure(Plan(
            ExecCheck.Pass(ExecPreflight.PlatformVersionCheck, "fine"),
            ExecCheck.Fail(firstFailed, "first is broken.", "fix the first"),
            ExecCheck.Warn(ExecPreflight.InitProcessCheck, "no init", "add an init"),
            ExecCheck.Fail(ExecPreflight.CredentialsCheck, "second is broken.", "fix the second")))!;

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(TaskArn, e.Target);
        Assert.Contains("container backend-flask of task 0123456789abcdef0123456789abcdef", e.Message, StringComparison.Ordinal);
        Assert.Contains($"[{firstFailed}] first is broken. Fix: fix the first", e.Message, StringComparison.Ordinal);
        Assert.Contains("[ContainerAwsCredentials] second is broken. Fix: fix the second", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fine", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("add an init", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedCommandNamesTheCommandItsCodeAndWhereItRan()
    {
        var result = new ExecResult("0123456789abcdef0123456789abcdef", "backend-flask", "flask db upgrade", 2, ["boom"], TimeSpan.FromSeconds(1));

        var e = new ExecCommandFailedException(result);

        Assert.Equal(ErrorIds.ExecCommandFailed, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Equal(2, e.ExitCode);
        Assert.Same(result, e.Target);
        Assert.Contains("'flask db upgrade' exited with code 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("container backend-flask of task 0123456789abcdef0123456789abcdef", e.Message, StringComparison.Ordinal);
    }
}
