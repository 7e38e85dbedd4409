namespace Cruddur.Core.Images;

/// <summary>
/// An image pushed to a registry. <see cref="ImageUri"/> is pinned by digest, so what is deployed is exactly what was
/// pushed. Deploy-CruddurService binds <see cref="Repository"/> (as the service name) and <see cref="ImageUri"/> from it.
/// </summary>
public sealed class Image
{
    public Image(string repository, string registry, IReadOnlyList<string> tags, string digest)
    {
        Repository = repository;
        Registry = registry;
        Tags = tags;
        Digest = digest;
    }

    /// <summary>The repository name, e.g. backend-flask (the seed names service, container and repository alike).</summary>
    public string Repository { get; }

    /// <summary>The registry host, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com.</summary>
    public string Registry { get; }

    /// <summary>The tags pushed, e.g. latest and the short commit id.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The manifest digest the registry reported, sha256:….</summary>
    public string Digest { get; }

    /// <summary>registry/repository.</summary>
    public string RepositoryUri => $"{Registry}/{Repository}";

    /// <summary>registry/repository@digest: the reference to deploy.</summary>
    public string ImageUri => $"{RepositoryUri}@{Digest}";

    public override string ToString() => ImageUri;
}
