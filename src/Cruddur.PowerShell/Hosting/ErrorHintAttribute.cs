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
