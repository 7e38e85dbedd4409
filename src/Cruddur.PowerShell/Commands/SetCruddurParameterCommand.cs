using System.Management.Automation;
using System.Security;
using Cruddur.Core;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;
using Cruddur.PowerShell.Arguments;
using Cruddur.PowerShell.Hosting;

namespace Cruddur.PowerShell.Commands;

/// <summary>Writes SecureString parameters to Parameter Store from an env file or a secure value, showing versions but never values.</summary>
[Cmdlet(VerbsCommon.Set, "CruddurParameter", SupportsShouldProcess = true, DefaultParameterSetName = EnvFileSet, HelpUri = OnlineHelp.Docs + "Set-CruddurParameter.md")]
[OutputType(typeof(ParameterWriteResult))]
public sealed class SetCruddurParameterCommand : AwsCmdlet
{
    private const string EnvFileSet = "EnvFile";
    private const string ValueSet = "Value";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = EnvFileSet)]
    [EnvFileTransformation]
    [ValidateNotNull]
    public EnvFile? EnvFile { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = EnvFileSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ValueSet)]
    [ArgumentCompleter(typeof(EnvFileKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = ValueSet)]
    [ValidateNotNull]
    public SecureString? Value { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = SeedDefaults.BackendParameterPath;

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
                    throw new CruddurException(ErrorIds.ParameterValueNeedsOneName, ErrorKind.InvalidArgument,
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

            foreach (var result in Run((host, token) => App(host).WriteParametersAsync(Path, Name, values, source, token)))
            {
                WriteObject(result);
            }
        });
    }
}
