using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

/// <summary>How one ECS Exec prerequisite stands: Fail stops a connect, Warn is shown and the connect goes on, Info only informs.</summary>
public enum ExecCheckStatus
{
    Pass,
    Warn,
    Fail,
    Info,
}

/// <summary>One ECS Exec prerequisite: its stable name, how it stands, what was found and how to fix it.</summary>
public sealed record ExecCheck(string Check, ExecCheckStatus Status, string Detail, string? Fix = null)
{
    /// <summary>The service whose task was checked, so checks of several services can be told apart.</summary>
    public string? Service { get; init; }

    /// <summary>The task checked.</summary>
    public string? TaskId { get; init; }

    public static ExecCheck Pass(string check, string detail) => new(check, ExecCheckStatus.Pass, detail);

    public static ExecCheck Warn(string check, string detail, string fix) => new(check, ExecCheckStatus.Warn, detail, fix);

    public static ExecCheck Fail(string check, string detail, string fix) => new(check, ExecCheckStatus.Fail, detail, fix);

    public static ExecCheck Info(string check, string detail) => new(check, ExecCheckStatus.Info, detail);
}

/// <summary>session-manager-plugin ended with a non-zero exit code (a signal or a crash: see <see cref="SessionManagerPlugin.DescribeExit"/>).</summary>
public sealed class PluginExitException : Hosting.CruddurException
{
    public PluginExitException(int exitCode, string target)
        : base(ErrorIds.ExecPluginFailed, Hosting.ErrorKind.InvalidOperation,
            $"{SessionManagerPlugin.DescribeExit(exitCode)}. The plugin does not report the remote command's exit code.", target: target)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
