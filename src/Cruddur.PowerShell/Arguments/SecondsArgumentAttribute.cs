using System.Globalization;
using System.Management.Automation;

namespace Cruddur.PowerShell.Arguments;

/// <summary>Lets -Timeout take a number of seconds (900) as well as a TimeSpan ('00:15:00'); a bare number would otherwise be ticks.</summary>
public sealed class SecondsArgumentAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int or long or double or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
            _ => inputData,
        };
    }
}
