namespace Cruddur.Core.Hosting;

/// <summary>
/// Work stopped by its cancellation token (Ctrl+C) that has something to tell the user, such as what carries on without it
/// and how to follow that. The message travels with the cancellation: once the pipeline is stopping, only the shell can show it.
/// </summary>
public sealed class OperationStoppedException(string message, Exception inner, CancellationToken token)
    : OperationCanceledException(message, inner, token);
