using System.Management.Automation;
using Cruddur.Core.Aws;
using Cruddur.PowerShell.Arguments;

namespace Cruddur.PowerShell.Hosting;

/// <summary>The AWS parameters every AWS-touching cmdlet takes, named as in AWS.Tools.</summary>
public abstract class AwsCmdlet : CruddurCmdlet
{
    private AwsContext? _aws;

    [Parameter]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(AwsProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    /// <summary>The resolved AWS context; region and credentials are looked up at the first call that needs them.</summary>
    protected AwsContext Aws => _aws ??= new AwsContext(new AwsSettings(Region, ProfileName, EndpointUrl));
}
