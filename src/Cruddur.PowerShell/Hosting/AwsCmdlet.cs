using System.Management.Automation;
using Cruddur.Core.Aws;
using Cruddur.PowerShell.Arguments;

namespace Cruddur.PowerShell.Hosting;

/// <summary>The AWS parameters every AWS-touching cmdlet takes, named as in AWS.Tools.</summary>
public abstract class AwsCmdlet : CruddurCmdlet
{
    private AwsContext? _aws;

    /// <summary>
    /// <para type="description">The AWS region, such as us-east-1. Default: $env:AWS_REGION, then $env:AWS_DEFAULT_REGION, then the profile's region.</para>
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    /// <summary>
    /// <para type="description">The AWS profile (from ~/.aws/config or ~/.aws/credentials) whose credentials and region to use. Default: $env:AWS_PROFILE, then the default credential chain.</para>
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(AwsProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>
    /// <para type="description">Send every AWS call of this cmdlet to this URL instead of the public endpoints (a local stack, a VPC endpoint). Default: $env:AWS_ENDPOINT_URL_&lt;SERVICE&gt;, then $env:AWS_ENDPOINT_URL.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    /// <summary>The resolved AWS context; region and credentials are looked up at the first call that needs them.</summary>
    protected AwsContext Aws => _aws ??= new AwsContext(new AwsSettings(Region, ProfileName, EndpointUrl));
}
