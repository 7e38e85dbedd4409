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
    [InlineData("printf \"a\\b \\\\ \\$ \\` 'q'\"", new[] { "printf", "a\\b \\ $ ` 'q'" })]
    [InlineData("echo '\\\"' trailing\\", new[] { "echo", "\\\"", "trailing\\" })]
    public void Splits_like_a_posix_shell(string text, string[] expected) => Assert.Equal(expected, CommandLine.Split(text));

    [Theory]
    [InlineData("sh -c 'echo migrated")]
    [InlineData("echo \"unterminated")]
    public void An_unbalanced_quote_is_TaskCommandUnbalancedQuote(string text)
    {
        var e = Assert.Throws<CruddurException>(() => CommandLine.Split(text));
        Assert.Equal("TaskCommandUnbalancedQuote", e.ErrorId);
        Assert.Contains("give the command as an array of words", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh -c 'echo \"migrated", "single quote (opened at character 7)")]
    [InlineData("echo \"it's", "double quote (opened at character 6)")]
    public void The_unbalanced_quote_is_named_with_where_it_opens(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<CruddurException>(() => CommandLine.Split(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void An_empty_command_is_TaskCommandEmpty() =>
        Assert.Equal("TaskCommandEmpty", Assert.Throws<CruddurException>(() => CommandLine.Split("   ")).ErrorId);
}
