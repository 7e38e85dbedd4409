using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Images;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>
/// Whether each container's image is in its registry and built for the task's CPU architecture: private ECR through the
/// ECR API; any other registry (Docker Hub, public.ecr.aws, a private one) through the registry API, with the container's
/// repositoryCredentials when it has them.
/// </summary>
internal static class ImageChecks
{
    public static async Task<IReadOnlyList<DeployCheck>> CheckAsync(PreflightFacts facts, string service, JsonObject definition, JsonObject container, CancellationToken token)
    {
        var name = (string?)container["name"] ?? "?";
        var image = (string?)container["image"] ?? string.Empty;
        var reference = DeployPreflight.ImageReference.Parse(image);
        if (reference.Ecr is not { } ecr)
        {
            return [await OtherRegistryAsync(facts, service, name, image, reference, container, Architecture(definition), token).ConfigureAwait(false)];
        }

        if (ecr.Region != facts.Clients.Region)
        {
            return [DeployCheck.Info(service, DeployCheck.ImageCheck, $"Container {name}: {image} is in ECR of region {ecr.Region}, not {facts.Clients.Region} where the deploy runs; it is not checked.")];
        }

        var found = await facts.ImageAsync(ecr.Account, reference.Repository, reference.Reference, token).ConfigureAwait(false);
        return [Decide(service, name, image, reference, found, Architecture(definition))];
    }

    /// <summary>The runtimePlatform's CPU architecture as a manifest names it (Fargate's default is X86_64: amd64).</summary>
    public static string Architecture(JsonObject definition) =>
        ((string?)definition["runtimePlatform"]?["cpuArchitecture"])?.ToUpperInvariant() == "ARM64" ? "arm64" : "amd64";

    public static DeployCheck Decide(string service, string container, string image, DeployPreflight.ImageReference reference, EcrImage found, string architecture)
    {
        var push = $"Publish it: Publish-CruddurImage {reference.Repository} (or docker push {image}), then deploy that image.";
        switch (found.State)
        {
            case EcrImageState.RepositoryMissing:
                return DeployCheck.Fail(service, DeployCheck.ImageCheck, $"Container {container}: the ECR repository {reference.Repository} does not exist, so the task would stop with CannotPullContainerError.",
                    $"Create it and push the image: Publish-CruddurImage {reference.Repository} creates the repository when it is missing.");
            case EcrImageState.ImageMissing:
                return DeployCheck.Fail(service, DeployCheck.ImageCheck, $"Container {container}: {reference.Reference} is not in ECR repository {reference.Repository}, so the task would stop with CannotPullContainerError.", push);
        }

        var architectures = found.Architectures ?? [];
        return OtherArchitecture(service, container, image, architectures, architecture)
            ?? DeployCheck.Pass(service, DeployCheck.ImageCheck, $"Container {container}: {reference.Repository}@{found.Digest} is in ECR{Platforms(architectures)}.");
    }

    /// <summary>
    /// An image of another registry: its repositoryCredentials secret (which must exist and hold a username and password),
    /// then the registry's answer for the manifest.
    /// </summary>
    private static async Task<DeployCheck> OtherRegistryAsync(PreflightFacts facts, string service, string name, string image, DeployPreflight.ImageReference reference, JsonObject container, string architecture, CancellationToken token)
    {
        var secretId = (string?)container["repositoryCredentials"]?["credentialsParameter"];
        RegistryCredential? credential = null;
        if (secretId is { Length: > 0 })
        {
            if (AwsArn.Region(secretId) is { } region && region != facts.Clients.Region)
            {
                return DeployCheck.Info(service, DeployCheck.ImageCheck, $"Container {name}: the credentials of {image} are in region {region}, not {facts.Clients.Region}; its registry is not checked.");
            }

            if (await facts.SecretAsync(secretId, token).ConfigureAwait(false) is null)
            {
                return DeployCheck.Fail(service, DeployCheck.ImageCheck,
                    $"Container {name}: the repositoryCredentials secret {secretId} does not exist, so the task would stop with \"ResourceInitializationError: unable to pull secrets or registry auth: ...\".",
                    $"Create it: aws secretsmanager create-secret --name <name> --secret-string '{{\"username\":\"...\",\"password\":\"...\"}}', and put its ARN in repositoryCredentials.credentialsParameter.");
            }

            credential = await facts.RegistryCredentialAsync(secretId, reference.RegistryHost, token).ConfigureAwait(false);
            if (credential is null)
            {
                return DeployCheck.Fail(service, DeployCheck.ImageCheck,
                    $"Container {name}: the value of the repositoryCredentials secret {secretId} is not a JSON object with a \"username\" and a \"password\", so ECS could not log in to {reference.RegistryHost} and the task would not start.",
                    $"aws secretsmanager put-secret-value --secret-id {secretId} --secret-string '{{\"username\":\"...\",\"password\":\"...\"}}'");
            }
        }

        return DecideRegistry(service, name, image, reference, secretId, await facts.ManifestAsync(reference, credential, secretId, token).ConfigureAwait(false), architecture);
    }

    /// <summary>The row for a registry's answer about an image outside ECR.</summary>
    public static DeployCheck DecideRegistry(string service, string container, string image, DeployPreflight.ImageReference reference, string? credentialSecret, RegistryManifest found, string architecture)
    {
        var host = reference.RegistryHost;
        var where = $"{host}/{reference.RegistryRepository}";
        const string Pull = "so the task would stop with CannotPullContainerError";
        var push = $"Push the image (docker push {image}), or name one the registry has in the task definition.";
        switch (found.State)
        {
            case RegistryManifestState.Found:
                var architectures = found.Architectures ?? [];
                return OtherArchitecture(service, container, image, architectures, architecture)
                    ?? DeployCheck.Pass(service, DeployCheck.ImageCheck, $"Container {container}: {image} resolves to {where}@{found.Digest}{Platforms(architectures)}{(credentialSecret is null ? string.Empty : $", with the credentials in {credentialSecret}")}.");
            case RegistryManifestState.RepositoryMissing:
                return DeployCheck.Fail(service, DeployCheck.ImageCheck, $"Container {container}: {host} has no repository {reference.RegistryRepository} ({found.Detail}), {Pull}.", push);
            case RegistryManifestState.ImageMissing:
                return DeployCheck.Fail(service, DeployCheck.ImageCheck, $"Container {container}: {reference.Reference} is not in {where} ({found.Detail}), {Pull}.", push);
            case RegistryManifestState.NeedsCredentials:
                return DeployCheck.Fail(service, DeployCheck.ImageCheck,
                    $"Container {container}: {host} will not serve {reference.RegistryRepository} without credentials ({found.Detail}; or the repository does not exist), and the container has no repositoryCredentials, {Pull}.",
                    "Store the registry's {\"username\",\"password\"} in a Secrets Manager secret and add \"repositoryCredentials\": {\"credentialsParameter\": \"<the secret's ARN>\"} to the container; the execution role needs secretsmanager:GetSecretValue on it.");
            case RegistryManifestState.CredentialsRefused:
                return DeployCheck.Fail(service, DeployCheck.ImageCheck,
                    $"Container {container}: {host} refused the credentials in {credentialSecret} for {reference.RegistryRepository} ({found.Detail}), {Pull}.",
                    $"Put a user name and password the registry accepts (with pull access to {reference.RegistryRepository}) in the secret: aws secretsmanager put-secret-value --secret-id {credentialSecret} --secret-string '{{\"username\":\"...\",\"password\":\"...\"}}'.");
            case RegistryManifestState.Unreachable:
                return DeployCheck.Warn(service, DeployCheck.ImageCheck,
                    $"Container {container}: {host} could not be reached from this machine ({found.Detail}), so {image} is not confirmed; the tasks' network may still reach it.",
                    $"Check the registry name in {image}; if only the tasks' network reaches {host}, this warning can stand.");
            default:
                return DeployCheck.Info(service, DeployCheck.ImageCheck, $"Not checked: {host} answered {found.Detail} for {reference.RegistryRepository}:{reference.Reference}.");
        }
    }

    /// <summary>A Fail when the image's platforms are known and the task's architecture is not among them.</summary>
    private static DeployCheck? OtherArchitecture(string service, string container, string image, IReadOnlyList<string> architectures, string architecture) =>
        architectures.Count > 0 && !architectures.Contains(architecture, StringComparer.Ordinal)
            ? DeployCheck.Fail(service, DeployCheck.ImageCheck,
                $"Container {container}: {image} is built for {string.Join(", ", architectures)}, but the task runs on {architecture} (runtimePlatform.cpuArchitecture), so its process would not start.",
                $"Build the image for linux/{architecture} (or set runtimePlatform.cpuArchitecture to match) and deploy again.")
            : null;

    private static string Platforms(IReadOnlyList<string> architectures) => architectures.Count > 0 ? $" ({string.Join(", ", architectures)})" : string.Empty;
}
