using System.Text.RegularExpressions;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Images;

/// <summary>ECR repository names as ECR accepts them, and creating a repository that may appear meanwhile.</summary>
internal static partial class EcrRepositories
{
    /// <summary>Throws ImageRepositoryNameInvalid for a name ECR would reject, before anything is called.</summary>
    public static void ValidateName(string name)
    {
        if (name.Length is < 2 or > 256 || !NamePattern().IsMatch(name))
        {
            throw new CruddurException(ErrorIds.ImageRepositoryNameInvalid, ErrorKind.InvalidArgument,
                $"'{name}' is not a valid ECR repository name: use 2-256 lowercase letters, digits and '.', '_', '-' or '/' between them, such as {SeedDefaults.BackendService}.",
                target: name);
        }
    }

    /// <summary>Creates the repository; one created meanwhile by someone else is taken as it is.</summary>
    public static async Task<EcrRepository> CreateAsync(IEcrClient ecr, string name, CancellationToken cancellationToken) =>
        await ecr.CreateRepositoryAsync(name, cancellationToken).ConfigureAwait(false)
        ?? await ecr.FindRepositoryAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw new CruddurException(ErrorIds.ImageRepositoryNotFound, ErrorKind.ObjectNotFound, $"The ECR repository '{name}' exists but cannot be described. Check ecr:DescribeRepositories permission.", target: name);

    [GeneratedRegex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\\z")]
    private static partial Regex NamePattern();
}
