using System.Collections;
using System.Management.Automation;
using Cruddur.Core.Aws;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Builds a service's image (or mirrors an existing one) and pushes it to ECR, returning the pushed digest.</para>
/// </summary>
[Cmdlet(VerbsData.Publish, "CruddurImage", SupportsShouldProcess = true, HelpUri = OnlineHelp.Docs + "Publish-CruddurImage.md")]
[OutputType(typeof(Image))]
public sealed class PublishCruddurImageCommand : AwsCmdlet
{
    /// <summary><para type="description">The ECR repository, which the seed names after the service: backend-flask, frontend-react-js, cruddur-python. Default: the piped env file's name without .env.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Service", "RepositoryName")]
    [ArgumentCompleter(typeof(SeedRepositoryCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary><para type="description">The build context folder. Default: ./&lt;Repository&gt; (the seed keeps each service in a folder of its name).</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary><para type="description">The Dockerfile, relative to the build context. Default: Dockerfile.prod when the context has one, else Dockerfile.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Dockerfile { get; set; }

    /// <summary><para type="description">Build arguments (docker build --build-arg), such as @{ REACT_APP_BACKEND_URL = 'https://api.example.com' }; they win over the env file's values.</para></summary>
    [Parameter]
    public Hashtable? BuildArgument { get; set; }

    /// <summary><para type="description">An env file (from New-CruddurEnvFile, or a path): the values whose names the Dockerfile declares with ARG become build arguments.</para></summary>
    [Parameter(ValueFromPipeline = true)]
    [EnvFileTransformation]
    public EnvFile? EnvFile { get; set; }

    /// <summary><para type="description">An existing image to mirror into the repository (pulled only when not on this machine), such as python:3.10-slim-buster.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Source { get; set; }

    /// <summary><para type="description">The tags to push, replacing the default: latest and, in a git work tree, the short commit id (with -dirty for uncommitted changes).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary><para type="description">The container engine: docker (default), podman, or the name or path of another docker-compatible CLI.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(EngineCompleter))]
    [ValidateNotNullOrEmpty]
    public string Engine { get; set; } = "docker";

    /// <summary><para type="description">Push to this registry host (host:port) instead of the one ECR reports, with ECR's credentials: for mirrors and local registries.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RegistryHost { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var request = CreateRequest();
            var image = Run((host, token) =>
            {
                var awsKey = string.Join('|', Aws.Region, Aws.EndpointFor(AwsService.Ecr), Aws.ProfileName);
                var publisher = new ImagePublisher(new AwsJsonClient(Aws, AwsService.Ecr, host), new ContainerEngine(Engine), awsKey);
                return publisher.PublishAsync(request, host, token);
            });
            if (image is not null)
            {
                WriteObject(image);
            }
        });
    }

    private PublishRequest CreateRequest()
    {
        var repository = Repository ?? RepositoryFromEnvFile()
            ?? throw new CruddurException("ImageRepositoryMissing", ErrorKind.InvalidArgument,
                "No repository named. Pass -Repository (such as backend-flask), or pipe an env file named after the service (backend-flask.env).");
        // One parameter set: with two, piping an EnvFile alone left PowerShell unable to choose and it prompted for -Source.
        if (Source is not null)
        {
            if (Path is not null || Dockerfile is not null || BuildArgument is not null || EnvFile is not null)
            {
                throw new CruddurException("ImageSourceConflict", ErrorKind.InvalidArgument,
                    "-Source mirrors an existing image and builds nothing: leave out -Path, -Dockerfile, -BuildArgument and -EnvFile, or leave out -Source to build.",
                    target: Source);
            }

            return new PublishRequest(repository) { Source = Source, Tags = Tag, RegistryHost = RegistryHost };
        }

        var context = GetUnresolvedProviderPathFromPSPath(Path ?? repository);
        return new PublishRequest(repository)
        {
            ContextPath = context,
            Dockerfile = Dockerfile is null ? null : System.IO.Path.GetFullPath(Dockerfile, context),
            BuildArguments = ReadBuildArguments(),
            EnvFileValues = EnvFile?.ReadValues() ?? new Dictionary<string, string>(),
            Tags = Tag,
            RegistryHost = RegistryHost,
        };
    }

    private string? RepositoryFromEnvFile() =>
        EnvFile is null ? null : System.IO.Path.GetFileNameWithoutExtension(EnvFile.Path);

    private Dictionary<string, string> ReadBuildArguments()
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in BuildArgument ?? [])
        {
            arguments[entry.Key.ToString()!] = entry.Value is null ? string.Empty : LanguagePrimitives.ConvertTo<string>(entry.Value);
        }

        return arguments;
    }
}
