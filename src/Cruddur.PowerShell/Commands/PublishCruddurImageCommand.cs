using System.Collections;
using System.Management.Automation;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Images;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Builds a service's image (or mirrors an existing one) and pushes it to ECR, returning the pushed digest.</summary>
[Cmdlet(VerbsData.Publish, "CruddurImage", SupportsShouldProcess = true, HelpUri = OnlineHelp.Docs + "Publish-CruddurImage.md")]
[OutputType(typeof(Image))]
[ErrorHint(ErrorIds.ImageRegistryUnreachable, RegistryHint)]
[ErrorHint(ErrorIds.ImageRegistryLoginFailed, RegistryHint)]
[ErrorHint(ErrorIds.ImageEngineNotRunning, "Or pass -Engine podman.")]
[ErrorHint(ErrorIds.ImageEngineNotFound, "Pass -Engine podman, or the path of another docker-compatible CLI.")]
[ErrorHint(ErrorIds.ImageDockerfileNotFound, "Pass -Dockerfile with a file in the build context.")]
[ErrorHint(ErrorIds.ImageContextNotFound, "Pass -Path with the service folder.")]
public sealed class PublishCruddurImageCommand : AwsCmdlet
{
    private const string RegistryHint = "The registry is -RegistryHost, else the account's ECR registry.";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Service", "RepositoryName")]
    [ArgumentCompleter(typeof(SeedRepositoryCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Dockerfile { get; set; }

    [Parameter]
    public Hashtable? BuildArgument { get; set; }

    [Parameter(ValueFromPipeline = true)]
    [EnvFileTransformation]
    public EnvFile? EnvFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Source { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(EngineCompleter))]
    [ValidateNotNullOrEmpty]
    public string Engine { get; set; } = "docker";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RegistryHost { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var request = CreateRequest();
            var image = Run((host, token) => new ImagePublisher(Aws, new ContainerEngine(Engine), host).PublishAsync(request, host, token));
            if (image is not null)
            {
                WriteObject(image);
            }
        });
    }

    private PublishRequest CreateRequest()
    {
        var repository = Repository ?? RepositoryFromEnvFile()
            ?? throw new CruddurException(ErrorIds.ImageRepositoryMissing, ErrorKind.InvalidArgument,
                "No repository named. Pass -Repository (such as backend-flask), or pipe an env file named after the service (backend-flask.env).");
        // One parameter set: with two, piping an EnvFile alone left PowerShell unable to choose and it prompted for -Source.
        if (Source is not null)
        {
            if (Path is not null || Dockerfile is not null || BuildArgument is not null || EnvFile is not null)
            {
                throw new CruddurException(ErrorIds.ImageSourceConflict, ErrorKind.InvalidArgument,
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
            BuildArguments = ReadBuildArguments(out var secureStrings),
            EnvFileValues = EnvFile?.ReadValues() ?? new Dictionary<string, string>(),
            SecretSourcedNames = (EnvFile?.Variables ?? []).Where(v => v.Source.StartsWith("ParameterStore:", StringComparison.Ordinal))
                .Select(v => v.Name).Concat(secureStrings).ToHashSet(StringComparer.Ordinal),
            Tags = Tag,
            RegistryHost = RegistryHost,
        };
    }

    private string? RepositoryFromEnvFile() =>
        EnvFile is null ? null : System.IO.Path.GetFileNameWithoutExtension(EnvFile.Path);

    private Dictionary<string, string> ReadBuildArguments(out List<string> secureStrings)
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        secureStrings = [];
        foreach (DictionaryEntry entry in BuildArgument ?? [])
        {
            var name = entry.Key.ToString()!;
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (value is System.Security.SecureString secure)
            {
                secureStrings.Add(name);
                arguments[name] = new System.Net.NetworkCredential(string.Empty, secure).Password;
            }
            else
            {
                arguments[name] = value is null ? string.Empty : LanguagePrimitives.ConvertTo<string>(value);
            }
        }

        return arguments;
    }
}
