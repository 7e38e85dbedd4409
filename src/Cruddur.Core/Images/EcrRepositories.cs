using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>An ECR repository as the project needs it: name, ARN and URI (registry/name).</summary>
public sealed record EcrRepository(string Name, string Arn, string Uri)
{
    public string Registry => Uri[..Uri.IndexOf('/', StringComparison.Ordinal)];
}

/// <summary>Finding and creating ECR repositories (tag mutability MUTABLE and scan on push, as the seed creates them).</summary>
public static partial class EcrRepositories
{
    /// <summary>Throws EcrRepositoryNameInvalid for a name ECR would reject, before anything is called.</summary>
    public static void ValidateName(string name)
    {
        if (name.Length is < 2 or > 256 || !NamePattern().IsMatch(name))
        {
            throw new CruddurException("EcrRepositoryNameInvalid", ErrorKind.InvalidArgument,
                $"'{name}' is not a valid ECR repository name: use 2-256 lowercase letters, digits and '.', '_', '-' or '/' between them, such as backend-flask.",
                target: name);
        }
    }

    /// <summary>The repository, or null when it does not exist.</summary>
    public static async Task<EcrRepository?> FindAsync(IAwsJsonApi ecr, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await ecr.InvokeAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray(name) }, cancellationToken).ConfigureAwait(false);
            return response["repositories"] is JsonArray { Count: > 0 } list ? Read(list[0]!) : null;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryNotFoundException")
        {
            return null;
        }
    }

    /// <summary>Creates the repository (MUTABLE tags, scan on push); an existing one is returned as it is.</summary>
    public static async Task<EcrRepository> CreateAsync(IAwsJsonApi ecr, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await ecr.InvokeAsync("CreateRepository", new JsonObject
            {
                ["repositoryName"] = name,
                ["imageTagMutability"] = "MUTABLE",
                ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = true },
            }, cancellationToken, retryServerErrors: false).ConfigureAwait(false);
            return Read(response["repository"]!);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryAlreadyExistsException")
        {
            // Created meanwhile by someone else: take it as it is.
        }

        return await FindAsync(ecr, name, cancellationToken).ConfigureAwait(false)
            ?? throw new CruddurException("EcrRepositoryNotFound", ErrorKind.ObjectNotFound, $"The ECR repository '{name}' exists but cannot be described. Check ecr:DescribeRepositories permission.", target: name);
    }

    private static EcrRepository Read(JsonNode repository) =>
        new((string)repository["repositoryName"]!, (string)repository["repositoryArn"]!, (string)repository["repositoryUri"]!);

    [GeneratedRegex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")]
    private static partial Regex NamePattern();
}
