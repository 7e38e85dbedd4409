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

    /// <summary>Throttling and server-side failures; worth another try after a pause.</summary>
    public bool IsRetryable => StatusCode >= 500 || IsThrottling;

    public bool IsThrottling => Throttling(ErrorCode);

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
