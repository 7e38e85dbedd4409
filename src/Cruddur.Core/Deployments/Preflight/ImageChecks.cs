using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments.Preflight;

/// <summary>Whether each container's image is in its registry (ECR: by tag or digest) and built for the task's CPU architecture.</summary>
internal static class ImageChecks
{
    public static async Task<IReadOnlyList<DeployCheck>> CheckAsync(PreflightFacts facts, string service, JsonObject definition, JsonObject container, CancellationToken token)
    {
        var name = (string?)container["name"] ?? "?";
        var image = (string?)container["image"] ?? string.Empty;
        var reference = DeployPreflight.ImageReference.Parse(image);
        if (reference.Ecr is not { } ecr)
        {
            return [DeployCheck.Info(service, DeployCheck.ImageCheck, $"Container {name}: {image} is not in a private ECR registry; its registry is not checked.")];
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
        if (architectures.Count > 0 && !architectures.Contains(architecture, StringComparer.Ordinal))
        {
            return DeployCheck.Fail(service, DeployCheck.ImageCheck,
                $"Container {container}: {image} is built for {string.Join(", ", architectures)}, but the task runs on {architecture} (runtimePlatform.cpuArchitecture), so its process would not start.",
                $"Build the image for linux/{architecture} (or set runtimePlatform.cpuArchitecture to match) and deploy again.");
        }

        return DeployCheck.Pass(service, DeployCheck.ImageCheck, $"Container {container}: {reference.Repository}@{found.Digest} is in ECR{(architectures.Count > 0 ? $" ({string.Join(", ", architectures)})" : string.Empty)}.");
    }
}
