using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws;

/// <summary>
/// An error answer from an AWS API (or the local stand-ins for it). The id is one of a fixed set by kind (AwsNotFound,
/// AwsThrottled, ...), so scripts match on a stable list; the service's own code is in <see cref="ErrorCode"/> and the message.
/// </summary>
internal sealed class AwsServiceException : CruddurException
{
    public AwsServiceException(string service, string operation, string errorCode, string message, int statusCode, Exception? inner = null)
        : base(IdOf(errorCode, statusCode), KindOf(errorCode, statusCode), $"{service} {operation} failed: {errorCode}: {message}", inner, operation)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        ServiceMessage = message;
    }

    public string Service { get; }

    public string Operation { get; }

    /// <summary>The service's error code without namespace, e.g. ClusterNotFoundException.</summary>
    public string ErrorCode { get; }

    public int StatusCode { get; }

    public string ServiceMessage { get; }

    /// <summary>What the failure means to a caller; callers outside Aws/ decide on this, never on the code or message.</summary>
    public AwsCondition Condition => ConditionOf(Operation, ErrorCode, StatusCode, ServiceMessage);

    /// <summary>
    /// The service understood the request and refused it (not found, denied, invalid, …): asking again would get the same
    /// answer. Throttling and server-side failures are not refusals; the retry policy has already spent its tries on them.
    /// </summary>
    public bool IsRefusal => Condition is not (AwsCondition.Throttled or AwsCondition.ServerError);

    internal bool IsThrottling => Throttling(ErrorCode);

    /// <summary>
    /// The one table from a service's codes to conditions. Where a service uses one code for several conditions, the
    /// operation (ECS answers an unknown task definition with ClientException) or its message (ECS Exec not enabled, a
    /// missing log stream) tells them apart.
    /// </summary>
    private static AwsCondition ConditionOf(string operation, string code, int status, string message) => code switch
    {
        _ when Throttling(code) => AwsCondition.Throttled,
        "ClusterNotFoundException" => AwsCondition.ClusterNotFound,
        "ServiceNotFoundException" => AwsCondition.ServiceNotFound,
        "ClientException" or "InvalidParameterException" when operation == "DescribeTaskDefinition" => AwsCondition.NotFound,
        "InvalidParameterException" or "TargetNotConnectedException" when operation == "ExecuteCommand" && message.Contains("execute command", StringComparison.OrdinalIgnoreCase)
            => AwsCondition.ExecuteCommandUnavailable,
        "ResourceNotFoundException" when message.Contains("log stream", StringComparison.OrdinalIgnoreCase) => AwsCondition.LogStreamNotFound,
        _ => KindOf(code, status) switch
        {
            ErrorKind.ObjectNotFound => AwsCondition.NotFound,
            ErrorKind.ResourceExists => AwsCondition.AlreadyExists,
            ErrorKind.PermissionDenied or ErrorKind.AuthenticationError => AwsCondition.AccessDenied,
            ErrorKind.InvalidArgument => AwsCondition.Invalid,
            ErrorKind.ResourceUnavailable => AwsCondition.ServerError,
            _ => AwsCondition.Other,
        },
    };

    private static bool Throttling(string code) => code is "ThrottlingException" or "Throttling" or "ThrottledException" or "TooManyRequestsException"
        or "RequestLimitExceeded" or "RequestThrottled" or "RequestThrottledException" or "ProvisionedThroughputExceededException";

    private static string IdOf(string code, int status) => KindOf(code, status) switch
    {
        _ when Throttling(code) => ErrorIds.AwsThrottled,
        ErrorKind.ObjectNotFound => ErrorIds.AwsNotFound,
        ErrorKind.ResourceExists => ErrorIds.AwsAlreadyExists,
        ErrorKind.PermissionDenied => ErrorIds.AwsAccessDenied,
        ErrorKind.AuthenticationError => ErrorIds.AwsAuthenticationFailed,
        ErrorKind.InvalidArgument => ErrorIds.AwsRequestInvalid,
        ErrorKind.ResourceUnavailable => ErrorIds.AwsServiceError,
        _ => ErrorIds.AwsRequestFailed,
    };

    private static ErrorKind KindOf(string code, int status) => code switch
    {
        _ when code.EndsWith("NotFoundException", StringComparison.Ordinal) || code.StartsWith("NoSuch", StringComparison.Ordinal) || code is "ParameterNotFound" or "RepositoryNotFoundException" => ErrorKind.ObjectNotFound,
        _ when code.Contains("AlreadyExists", StringComparison.Ordinal) || code is "EntityAlreadyExists" => ErrorKind.ResourceExists,
        "AccessDeniedException" or "AccessDenied" or "UnauthorizedOperation" => ErrorKind.PermissionDenied,
        "UnrecognizedClientException" or "InvalidClientTokenId" or "ExpiredTokenException" or "ExpiredToken" or "InvalidSignatureException" or "SignatureDoesNotMatch" => ErrorKind.AuthenticationError,
        "InvalidParameterException" or "InvalidParameterValueException" or "ValidationException" or "ClientException" => ErrorKind.InvalidArgument,
        _ when status >= 500 => ErrorKind.ResourceUnavailable,
        _ => ErrorKind.InvalidOperation,
    };
}

/// <summary>What a failed AWS call means to the module (see <see cref="AwsServiceException.Condition"/>).</summary>
internal enum AwsCondition
{
    /// <summary>Nothing a caller tells apart.</summary>
    Other,

    /// <summary>The thing asked for does not exist.</summary>
    NotFound,

    /// <summary>ECS: the cluster named does not exist.</summary>
    ClusterNotFound,

    /// <summary>ECS: the service named does not exist in the cluster.</summary>
    ServiceNotFound,

    /// <summary>CloudWatch Logs: a log stream named does not exist (its group may).</summary>
    LogStreamNotFound,

    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,

    /// <summary>The caller may not do this, or its credentials were not accepted.</summary>
    AccessDenied,

    /// <summary>The request itself was refused as invalid (a malformed id, say).</summary>
    Invalid,

    /// <summary>ECS refused an ExecuteCommand: exec is not enabled for the task, or its agent is not connected.</summary>
    ExecuteCommandUnavailable,

    /// <summary>The account's request rate for this API was exceeded.</summary>
    Throttled,

    /// <summary>A failure on the service's side.</summary>
    ServerError,
}
