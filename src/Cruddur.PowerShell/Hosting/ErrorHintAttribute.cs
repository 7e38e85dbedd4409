namespace Cruddur.PowerShell.Hosting;

/// <summary>
/// What a cmdlet adds to a core error's message: the core says what is wrong, the cmdlet which of its parameters fix it.
/// A test checks that every parameter a hint names is one the cmdlet has.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class ErrorHintAttribute(string errorId, string hint) : Attribute
{
    public string ErrorId { get; } = errorId;

    public string Hint { get; } = hint;
}

/// <summary>Hints several cmdlets give in the same words, for parameters they share.</summary>
internal static class CommonHints
{
    public const string ClusterNotFound = "Pass -Cluster with one of them, or -Region for the region it is in.";

    public const string ServiceNotFound = "Check -Service and -Cluster.";

    public const string ContainerNotFound = "Pass one of them as -Container.";

    public const string ConnectionUrlMissing = "Or pass -ConnectionUrl.";
}
