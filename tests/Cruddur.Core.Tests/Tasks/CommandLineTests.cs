using Cruddur.Core.Hosting;
using Cruddur.Core.Tasks;

namespace Cruddur.Core.Tests.Tasks;

public class CommandLineTests
{
    [Theory]
    [InlineData("python manage.py migrate", new[] { "python", "manage.py", "migrate" })]
    [InlineData("sh -c 'echo migrated; exit 0'", new[] { "sh", "-c", "echo migrated; exit 0" })]
    [InlineData("sh -c \"echo \\\"hi\\\" $HOME\"", new[] { "sh", "-c", "echo \"hi\" $HOME" })]
    [InlineData("  a\\ b   ''  c'd'e ", new[] { "a b", "", "cde" })]
    [InlineData("echo 'it'\\''s'", new[] { "echo", "it's" })]
    public void Splits_like_a_posix_shell(string text, string[] expected) => Assert.Equal(expected, CommandLine.Split(text));

    [Theory]
    [InlineData("sh -c 'echo migrated")]
    [InlineData("echo \"unterminated")]
    public void An_unbalanced_quote_is_TaskCommandUnbalancedQuote(string text)
    {
        var e = Assert.Throws<CruddurException>(() => CommandLine.Split(text));
        Assert.Equal("TaskCommandUnbalancedQuote", e.ErrorId);
        Assert.Contains("-Command sh, -c", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_command_is_TaskCommandEmpty() =>
        Assert.Equal("TaskCommandEmpty", Assert.Throws<CruddurException>(() => CommandLine.Split("   ")).ErrorId);
}
