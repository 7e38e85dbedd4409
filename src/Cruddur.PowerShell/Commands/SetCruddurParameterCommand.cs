using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Security;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes SecureString parameters to Parameter Store from an env file or a secure value, showing versions but never values.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CruddurParameter", SupportsShouldProcess = true, DefaultParameterSetName = EnvFileSet)]
[OutputType(typeof(ParameterWriteResult))]
public sealed class SetCruddurParameterCommand : AwsCmdlet
{
    private const string EnvFileSet = "EnvFile";
    private const string ValueSet = "Value";

    /// <summary><para type="description">The env file to take values from: an EnvFile object (New-CruddurEnvFile's output) or the path of an env file.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = EnvFileSet)]
    [EnvFileTransformation]
    [ValidateNotNull]
    public EnvFile? EnvFile { get; set; }

    /// <summary><para type="description">The variable(s) to write, as the env file names them; each becomes the parameter &lt;Path&gt;&lt;Name&gt;. With -Value, exactly one name.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvFileSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ValueSet)]
    [ArgumentCompleter(typeof(EnvFileKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">The value to write for the one -Name, as a SecureString (Read-Host -AsSecureString).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = ValueSet)]
    [ValidateNotNull]
    public SecureString? Value { get; set; }

    /// <summary><para type="description">The Parameter Store path the names go under.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "/cruddur/backend-flask/";

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            IReadOnlyDictionary<string, string> values;
            string source;
            if (ParameterSetName == ValueSet)
            {
                if (Name.Length != 1)
                {
                    throw new CruddurException("ParameterValueNeedsOneName", ErrorKind.InvalidArgument,
                        $"-Value is one value, but {Name.Length} names were given. Pass one -Name with -Value, or use -EnvFile for several.", target: string.Join(",", Name));
                }

                values = new Dictionary<string, string> { [Name[0]] = new System.Net.NetworkCredential(string.Empty, Value).Password };
                source = "-Value";
            }
            else
            {
                values = EnvFile!.ReadValues();
                source = "The env file " + EnvFile.Path;
            }

            foreach (var result in Run((host, token) => ParameterWriter.WriteAsync(new SsmClient(Aws, host), Path, Name, values, source, host, token)))
            {
                WriteObject(result);
            }
        });
    }

    /// <summary>Completes -Name with the keys of the env file given to -EnvFile.</summary>
    public sealed class EnvFileKeyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var bound = fakeBoundParameters[nameof(EnvFile)];
            var value = bound is PSObject wrapped ? wrapped.BaseObject : bound;
            IReadOnlyList<string> keys;
            try
            {
                keys = value switch
                {
                    EnvFile file => file.Keys,
                    string path => Core.EnvFiles.EnvFile.Open(ResolveInSession(path)).Keys,
                    _ => [],
                };
            }
            catch (CruddurException)
            {
                keys = [];
            }

            return keys.Where(k => k.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase)).Select(k => new CompletionResult(k));
        }

        // A relative path is relative to PowerShell's location, which is not the process's current directory.
        private static string ResolveInSession(string path)
        {
            using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            var resolved = shell.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(path).Invoke();
            return resolved.Count == 1 ? resolved[0].ToString() : path;
        }
    }
}
