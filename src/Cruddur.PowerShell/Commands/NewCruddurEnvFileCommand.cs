using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Renders ERB env templates (erb/*.env.erb) into env files.</summary>
[Cmdlet(VerbsCommon.New, "CruddurEnvFile", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, HelpUri = OnlineHelp.Docs + "New-CruddurEnvFile.md")]
[OutputType(typeof(EnvFile))]
[ErrorHint(ErrorIds.EnvFileVariableMissing, "Set them in the environment, pass -Variable @{ NAME = 'value' }, read them from Parameter Store with -ParameterPath, or pass -AllowMissing to render them empty.")]
[ErrorHint(ErrorIds.EnvFileDestinationIsTemplate, "Name templates '*.erb' or pass -Destination.")]
[ErrorHint(ErrorIds.EnvFileDestinationNotFound, "Create it first or pass another -Destination.")]
[ErrorHint(ErrorIds.EnvFileDestinationNotWritable, "Pass a -Destination in a folder you can write to.")]
public sealed class NewCruddurEnvFileCommand : AwsCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private IReadOnlyList<StoredParameter>? _parameters;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    public Hashtable? Variable { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParameterPath { get; set; }

    [Parameter]
    public SwitchParameter AllowMissing { get; set; }

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var template in ResolveTemplates(literal ? LiteralPath : Path, literal))
        {
            TryRun(() => Render(template));
        }
    }

    private void Render(string template)
    {
        var currentDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var destinationInput = Destination is null ? null : GetUnresolvedProviderPathFromPSPath(Destination);
        var destination = EnvFileGenerator.ResolveDestination(template, destinationInput, currentDirectory);
        if (!_written.Add(destination))
        {
            throw new CruddurException(ErrorIds.EnvFileDestinationConflict, ErrorKind.InvalidArgument,
                $"Two templates would both be written to '{destination}'. Pass a folder as -Destination, or render them one at a time.", target: destination);
        }

        var request = new EnvFileRequest(template, destination)
        {
            Variables = ReadVariables(),
            Parameters = ParameterPath is null ? [] : _parameters ??= Run((host, token) => App(host).ParametersByPathAsync(ParameterPath, token)),
            AllowMissing = AllowMissing,
        };
        var envFile = Run((host, token) => new EnvFileGenerator().GenerateAsync(request, host, token));
        if (envFile is not null)
        {
            WriteObject(envFile);
        }
    }

    private IEnumerable<string> ResolveTemplates(IEnumerable<string> paths, bool literal)
    {
        foreach (var path in paths)
        {
            if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
            {
                var resolved = GetUnresolvedProviderPathFromPSPath(path);
                if (!File.Exists(resolved))
                {
                    WriteError(ToErrorRecord(EnvFileGenerator.TemplateNotFound(path)));
                    continue;
                }

                yield return resolved;
                continue;
            }

            Collection<string> matches;
            try
            {
                matches = GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException)
            {
                matches = [];
            }

            if (matches.Count == 0)
            {
                WriteError(ToErrorRecord(new CruddurException(ErrorIds.EnvFileTemplateNotFound, ErrorKind.ObjectNotFound,
                    $"No template matches '{path}'.", target: path)));
            }

            foreach (var match in matches)
            {
                yield return match;
            }
        }
    }

    private Dictionary<string, string> ReadVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Variable ?? [])
        {
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            variables[entry.Key.ToString()!] = value switch
            {
                null => string.Empty,
                System.Security.SecureString secure => new System.Net.NetworkCredential(string.Empty, secure).Password,
                _ => LanguagePrimitives.ConvertTo<string>(value),
            };
        }

        return variables;
    }
}
