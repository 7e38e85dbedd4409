using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Parameters;

/// <summary>A parameter read from Parameter Store: its short name (last path segment), full name and value.</summary>
public sealed record StoredParameter(string Name, string FullName, string Value);

/// <summary>SSM Parameter Store, as far as the project uses it.</summary>
public interface IParameterStore
{
    /// <summary>Every parameter under <paramref name="path"/> (recursively), SecureStrings decrypted.</summary>
    Task<IReadOnlyList<StoredParameter>> GetByPathAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/> as a SecureString, overwriting any current value; returns the new version.</summary>
    Task<long> PutSecureStringAsync(string fullName, string value, CancellationToken cancellationToken);
}

/// <summary>Parameter Store through AWSSDK.SimpleSystemsManagement.</summary>
public sealed class SsmParameterStore : IParameterStore
{
    private readonly AwsContext _context;

    public SsmParameterStore(AwsContext context) => _context = context;

    /// <summary>Makes "/cruddur/backend-flask/" and "cruddur/backend-flask" the same path.</summary>
    public static string NormalizePath(string path)
    {
        var trimmed = "/" + path.Trim().Trim('/');
        if (trimmed.Length > 1 && !System.Text.RegularExpressions.Regex.IsMatch(trimmed, "^(/[A-Za-z0-9_.\\-]+)+$"))
        {
            throw new CruddurException("ParameterPathInvalid", ErrorKind.InvalidArgument,
                $"'{path}' is not a Parameter Store path. Use a path such as {SeedDefaults.BackendParameterPath} (letters, digits, '.', '-', '_' between slashes).", target: path);
        }

        return trimmed;
    }

    public async Task<IReadOnlyList<StoredParameter>> GetByPathAsync(string path, CancellationToken cancellationToken)
    {
        var normalized = NormalizePath(path);
        using var ssm = new AmazonSimpleSystemsManagementClient(_context.Credentials, _context.ConfigureSdk(new AmazonSimpleSystemsManagementConfig(), AwsService.Ssm));
        var found = new List<StoredParameter>();
        string? next = null;
        do
        {
            GetParametersByPathResponse page;
            try
            {
                page = await ssm.GetParametersByPathAsync(
                    new GetParametersByPathRequest { Path = normalized, Recursive = true, WithDecryption = true, NextToken = next },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonServiceException e)
            {
                throw AwsContext.FromSdk(e, "SSM", "GetParametersByPath");
            }
            catch (HttpRequestException e)
            {
                throw _context.Unreachable(AwsService.Ssm, e);
            }

            foreach (var parameter in page.Parameters ?? [])
            {
                found.Add(new StoredParameter(parameter.Name[(parameter.Name.LastIndexOf('/') + 1)..], parameter.Name, parameter.Value));
            }

            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        return found;
    }

    public async Task<long> PutSecureStringAsync(string fullName, string value, CancellationToken cancellationToken)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(_context.Credentials, _context.ConfigureSdk(new AmazonSimpleSystemsManagementConfig(), AwsService.Ssm));
        try
        {
            var response = await ssm.PutParameterAsync(
                new PutParameterRequest { Name = fullName, Value = value, Type = ParameterType.SecureString, Overwrite = true },
                cancellationToken).ConfigureAwait(false);
            return response.Version ?? 0;
        }
        catch (AmazonServiceException e)
        {
            // The SDK's message never carries the value; the request is not part of it.
            throw AwsContext.FromSdk(e, "SSM", "PutParameter");
        }
        catch (HttpRequestException e)
        {
            throw _context.Unreachable(AwsService.Ssm, e);
        }
    }
}
