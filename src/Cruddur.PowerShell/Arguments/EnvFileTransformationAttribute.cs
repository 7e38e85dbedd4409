using System.Management.Automation;
using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;

namespace Cruddur.PowerShell.Arguments;

/// <summary>Lets an EnvFile parameter take a path (string or FileInfo) as well as New-CruddurEnvFile's output.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class EnvFileTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        var path = value switch
        {
            string text => text,
            FileInfo file => file.FullName,
            _ => null,
        };
        if (path is null)
        {
            return value;
        }

        try
        {
            return EnvFile.Open(engineIntrinsics.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
        }
        catch (CruddurException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
