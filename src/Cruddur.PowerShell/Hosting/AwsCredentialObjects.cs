using System.Management.Automation;
using System.Reflection;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.PowerShell.Hosting;

/// <summary>
/// Reads credentials out of what a PowerShell user holds: a PSCredential (access key id as user name, secret key as password)
/// or AWS.Tools' objects. Those come from AWS.Tools' own copy of AWSSDK.Core, which this module does not share, so they are
/// read by shape: an AWSCredentials has GetCredentials() (AccessKey, SecretKey, Token); the AWSPSCredentials that
/// Set-AWSCredential stores in $StoredAWSCredentials wraps one in a non-public Credentials property, or names a profile.
/// </summary>
internal static class AwsCredentialObjects
{
    public static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    /// <summary>A profile name (string) when that is all the object says, else the object itself.</summary>
    public static object? ProfileOrCredentials(object? value)
    {
        value = Unwrap(value);
        if (value is null or string or PSCredential)
        {
            return value;
        }

        var inner = Property(value, "Credentials");
        return inner is null && Property(value, "Name") is string name ? name : value;
    }

    /// <summary>Reads the keys when a call first needs them (a role's credentials refresh on the way).</summary>
    public static Func<AwsKeys> Reader(object value, string source) => () =>
    {
        value = Unwrap(value)!;
        if (value is PSCredential credential)
        {
            return new AwsKeys(credential.UserName, credential.GetNetworkCredential().Password);
        }

        var credentials = Property(value, "Credentials") ?? value;
        var immutable = credentials.GetType().GetMethod("GetCredentials", Type.EmptyTypes)?.Invoke(credentials, null);
        if (immutable is not null && Property(immutable, "AccessKey") is string { Length: > 0 } accessKey && Property(immutable, "SecretKey") is string { Length: > 0 } secretKey)
        {
            return new AwsKeys(accessKey, secretKey, Property(immutable, "Token") as string);
        }

        throw new CruddurException(ErrorIds.AwsCredentialsInvalid, ErrorKind.InvalidArgument,
            $"{source} holds a {value.GetType().Name}, which gives no access key and secret key. Pass AWS.Tools credentials (New-AWSCredential) or a PSCredential with the access key id as user name and the secret key as password.");
    };

    private static object? Property(object value, string name) =>
        value.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(value);
}
