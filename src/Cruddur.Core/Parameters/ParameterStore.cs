using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Parameters;

/// <summary>A parameter read from Parameter Store: its short name (last path segment), full name and value.</summary>
public sealed record StoredParameter(string Name, string FullName, string Value);

/// <summary>Parameter Store paths as the module takes them, over <see cref="ISsmClient"/>.</summary>
internal static class ParameterStore
{
    /// <summary>Makes "/cruddur/backend-flask/" and "cruddur/backend-flask" the same path.</summary>
    public static string NormalizePath(string path)
    {
        var trimmed = "/" + path.Trim().Trim('/');
        if (trimmed.Length > 1 && !System.Text.RegularExpressions.Regex.IsMatch(trimmed, "^(/[A-Za-z0-9_.\\-]+)+$"))
        {
            throw new CruddurException(ErrorIds.ParameterPathInvalid, ErrorKind.InvalidArgument,
                $"'{path}' is not a Parameter Store path. Use a path such as {SeedDefaults.BackendParameterPath} (letters, digits, '.', '-', '_' between slashes).", target: path);
        }

        return trimmed;
    }

    /// <summary>Every parameter under <paramref name="path"/> (recursively), SecureStrings decrypted.</summary>
    public static async Task<IReadOnlyList<StoredParameter>> GetByPathAsync(ISsmClient ssm, string path, CancellationToken cancellationToken) =>
        (await ssm.GetParametersByPathAsync(NormalizePath(path), cancellationToken).ConfigureAwait(false))
        .Select(p => new StoredParameter(AwsArn.LastSegment(p.Name), p.Name, p.Value)).ToList();
}
