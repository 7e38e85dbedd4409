using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>How one deploy prerequisite stands: Fail stops a deploy, Warn is shown and the deploy goes on, Info says a check could not be made or does not apply.</summary>
public enum DeployCheckStatus
{
    Pass,
    Warn,
    Fail,
    Info,
}

/// <summary>One prerequisite of a service's new tasks: the service, the check's stable name, how it stands, what was found and how to fix it.</summary>
public sealed record DeployCheck(string Service, string Check, DeployCheckStatus Status, string Detail, string? Fix = null)
{
    public const string ImageCheck = "Image";
    public const string ExecutionRoleCheck = "ExecutionRole";
    public const string ExecutionRolePermissionsCheck = "ExecutionRolePermissions";
    public const string TaskRoleCheck = "TaskRole";
    public const string SecretCheck = "Secret";
    public const string LogGroupCheck = "LogGroup";
    public const string NetworkCheck = "Network";
    public const string TargetGroupCheck = "TargetGroup";

    internal static DeployCheck Pass(string service, string check, string detail) => new(service, check, DeployCheckStatus.Pass, detail);

    internal static DeployCheck Warn(string service, string check, string detail, string fix) => new(service, check, DeployCheckStatus.Warn, detail, fix);

    internal static DeployCheck Fail(string service, string check, string detail, string fix) => new(service, check, DeployCheckStatus.Fail, detail, fix);

    internal static DeployCheck Info(string service, string check, string detail) => new(service, check, DeployCheckStatus.Info, detail);

    /// <summary>DeployPreflightFailed listing every failed row with its fix, or null when none failed.</summary>
    internal static CruddurException? FailureOf(IReadOnlyList<DeployCheck> checks)
    {
        var failed = checks.Where(c => c.Status == DeployCheckStatus.Fail).ToList();
        return failed.Count == 0 ? null : new CruddurException(ErrorIds.DeployPreflightFailed, ErrorKind.InvalidOperation,
            $"{failed.Count} prerequisite(s) of the new tasks are missing, so they would not start; nothing was registered:" + Environment.NewLine
            + string.Join(Environment.NewLine, failed.Select(c => $"    {c.Service} {c.Check}: {c.Detail} Fix: {c.Fix}")),
            target: failed.Select(c => c.Service).Distinct().ToList());
    }
}
