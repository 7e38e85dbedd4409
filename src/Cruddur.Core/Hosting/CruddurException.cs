namespace Cruddur.Core.Hosting;

/// <summary>What kind of failure an error is; the shell maps it to PowerShell's ErrorCategory.</summary>
public enum ErrorKind
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    ResourceExists,
    ResourceUnavailable,
    PermissionDenied,
    AuthenticationError,
    ConnectionError,
    InvalidOperation,
    OperationTimeout,
    NotInstalled,
    OperationStopped,
}

/// <summary>
/// An error a user can cause or act on. <see cref="ErrorId"/> is stable (tests and scripts match on it); the message says
/// what to do. Messages must never contain secret values.
/// </summary>
public class CruddurException : Exception
{
    public CruddurException(string errorId, ErrorKind kind, string message, Exception? inner = null, object? target = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    /// <summary>
    /// The same error with <paramref name="hint"/> added to its message: the core says what is wrong, the shell adds the
    /// parameters that fix it, in its own words.
    /// </summary>
    public CruddurException WithHint(string hint) => new(ErrorId, Kind, $"{Message} {hint}", this, Target);

    public ErrorKind Kind { get; }

    /// <summary>The object the error is about (a path, a service name); shown as the ErrorRecord's target.</summary>
    public object? Target { get; }
}
