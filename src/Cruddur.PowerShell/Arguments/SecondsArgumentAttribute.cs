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

/// <summary>
/// Lets a bake time take a number of minutes (10) as well as a TimeSpan ('00:10:00'): ECS counts bake times in minutes
/// (bakeTimeInMinutes), so a bare number means minutes there, as it means seconds for -Timeout.
/// </summary>
public sealed class MinutesArgumentAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int or long or double or decimal => TimeSpan.FromMinutes(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) => TimeSpan.FromMinutes(minutes),
            _ => inputData,
        };
    }
}

/// <summary>Checks at binding that a duration lies in [<c>minSeconds</c>, <c>maxSeconds</c>]: -Timeout 0 or -5 would end a watch at once.</summary>
public sealed class ValidateDurationAttribute(double minSeconds, double maxSeconds) : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is not TimeSpan span || span < TimeSpan.FromSeconds(minSeconds) || span > TimeSpan.FromSeconds(maxSeconds))
        {
            throw new ValidationMetadataException(
                $"The duration '{value}' is not between {TimeSpan.FromSeconds(minSeconds)} and {TimeSpan.FromSeconds(maxSeconds)}. Pass a number of seconds (such as 900) or a TimeSpan (such as '00:15:00') in that range.");
        }
    }
}
