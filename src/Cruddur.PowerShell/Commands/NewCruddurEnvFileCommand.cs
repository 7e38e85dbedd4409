using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Renders ERB env templates (erb/*.env.erb) into env files.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CruddurEnvFile", SupportsShouldProcess = true, DefaultParameterSetName = PathSet, HelpUri = OnlineHelp.Docs + "New-CruddurEnvFile.md")]
[OutputType(typeof(EnvFile))]
public sealed class NewCruddurEnvFileCommand : AwsCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private IReadOnlyList<StoredParameter>? _parameters;

    /// <summary><para type="description">The template(s) to render. Wildcards are allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary><para type="description">The template(s) to render, taken literally (no wildcards); Get-ChildItem output binds here.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary><para type="description">Where to write: a file, or a folder to write into. Default: the template's name without .erb, in the current folder.</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary><para type="description">Values for template variables; they win over Parameter Store and the environment.</para></summary>
    [Parameter]
    public Hashtable? Variable { get; set; }

    /// <summary><para type="description">A Parameter Store path, such as /cruddur/backend-flask/. Every parameter under it (recursively, SecureStrings decrypted) supplies the variable named by its last path segment; these win over the environment.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParameterPath { get; set; }

    /// <summary><para type="description">Render unset variables as empty text, as ERB does, instead of failing.</para></summary>
    [Parameter]
    public SwitchParameter AllowMissing { get; set; }

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var template in ResolveTemplates(literal ? LiteralPath : Path, literal))
        {
            TryRun(() =>
            {
                var currentDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                var destinationInput = Destination is null ? null : GetUnresolvedProviderPathFromPSPath(Destination);
                var destination = EnvFileGenerator.ResolveDestination(template, destinationInput, currentDirectory);
                if (!_written.Add(destination))
                {
                    throw new CruddurException("EnvFileDestinationConflict", ErrorKind.InvalidArgument,
                        $"Two templates would both be written to '{destination}'. Pass a folder as -Destination, or render them one at a time.", target: destination);
                }

                var request = new EnvFileRequest(template, destination)
                {
                    Variables = ReadVariables(),
                    Parameters = ParameterPath is null ? [] : _parameters ??= Run((host, token) => ParameterStore.GetByPathAsync(new SsmClient(Aws, host), ParameterPath, token)),
                    AllowMissing = AllowMissing,
                };
                var envFile = Run((host, token) => new EnvFileGenerator().GenerateAsync(request, host, token));
                if (envFile is not null)
                {
                    WriteObject(envFile);
                }
            });
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
                WriteError(ToErrorRecord(new CruddurException("EnvFileTemplateNotFound", ErrorKind.ObjectNotFound,
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
