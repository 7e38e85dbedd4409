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
/// what to do. Message, target and inner exceptions pass through <see cref="Redaction"/>, so a credential that reached
/// them by accident (a driver's message quoting a URL) is never shown.
/// </summary>
public class CruddurException : Exception
{
    public CruddurException(string errorId, ErrorKind kind, string message, Exception? inner = null, object? target = null)
        : base(Redaction.Redact(message), RedactedException.From(inner))
    {
        ErrorId = errorId;
        Kind = kind;
        Target = Redaction.RedactObject(target);
    }

    public string ErrorId { get; }

    private string? _hint;

    /// <summary>What the core says is wrong, then the shell's hint if it gave one.</summary>
    public override string Message => _hint is null ? base.Message : $"{base.Message} {_hint}";

    /// <summary>
    /// Adds <paramref name="hint"/> to the message (once: a second hint replaces the first): the core says what is wrong,
    /// the shell adds the parameters that fix it, in its own words. The error keeps its type and what it carries (an exit code).
    /// </summary>
    public CruddurException WithHint(string hint)
    {
        _hint = Redaction.Redact(hint);
        return this;
    }

    public ErrorKind Kind { get; }

    /// <summary>The object the error is about (a path, a service name); shown as the ErrorRecord's target.</summary>
    public object? Target { get; }

    /// <summary>The id of <see cref="Unexpected"/>: a failure nobody foresaw, carrying the original type in its message.</summary>
    public const string UnexpectedErrorId = ErrorIds.CruddurUnexpectedError;

    /// <summary>
    /// Wraps an exception no code path turned into a Cruddur error (a bug, or an answer the module does not understand),
    /// so it still leaves with a stable id, a real category and a redacted message.
    /// </summary>
    public static CruddurException Unexpected(Exception e, object? target = null)
    {
        var kind = e switch
        {
            UnauthorizedAccessException => ErrorKind.PermissionDenied,
            IOException => ErrorKind.ResourceUnavailable,
            System.Text.Json.JsonException or FormatException or InvalidCastException or InvalidOperationException or KeyNotFoundException or NullReferenceException => ErrorKind.InvalidData,
            TimeoutException or OperationCanceledException => ErrorKind.OperationTimeout,
            System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException => ErrorKind.ConnectionError,
            ArgumentException => ErrorKind.InvalidArgument,
            _ => ErrorKind.InvalidOperation,
        };
        return new CruddurException(UnexpectedErrorId, kind,
            $"Unexpected {e.GetType().FullName}: {e.Message} Nothing more was done for this item. If the input is right, this is an answer or a case Cruddur does not handle yet: report it with this message.",
            e, target);
    }
}

/// <summary>Stands in for an inner exception whose text held a credential: its type and redacted message, nothing else.</summary>
internal sealed class RedactedException : Exception
{
    private RedactedException(string typeName, string message, Exception? inner)
        : base(message, inner) => OriginalType = typeName;

    /// <summary>The full name of the exception this replaces.</summary>
    public string OriginalType { get; }

    /// <summary><paramref name="e"/> itself when nothing in its chain needs redacting, else a redacted copy of the chain.</summary>
    public static Exception? From(Exception? e)
    {
        if (e is null || e is CruddurException || !NeedsRedaction(e))
        {
            return e;
        }

        return new RedactedException(e.GetType().FullName!, $"{e.GetType().Name}: {Redaction.Redact(e.Message)}", From(e.InnerException));
    }

    private static bool NeedsRedaction(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (Redaction.Redact(current.Message) != current.Message)
            {
                return true;
            }
        }

        return false;
    }
}
