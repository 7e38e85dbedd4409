using Cruddur.Core.Database;

namespace Cruddur.Core.Tests.Database;

public sealed class SqlScriptTests
{
    [Fact]
    public void SplitsOnSemicolonsOutsideQuotesCommentsAndDollarQuotes()
    {
        const string text = """
            -- a comment; with a semicolon
            CREATE TABLE "we;ird" (x text DEFAULT 'a;b''c');
            /* block; /* nested; */ still comment; */
            INSERT INTO t VALUES (E'it\'s; fine');
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            DO $$ BEGIN PERFORM 1; END $$;
            ;;
            SELECT 2
            """;

        var statements = SqlScript.Parse("s.sql", text).Statements;

        Assert.Equal(
            [
                "CREATE TABLE \"we;ird\" (x text DEFAULT 'a;b''c')",
                "INSERT INTO t VALUES (E'it\\'s; fine')",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "DO $$ BEGIN PERFORM 1; END $$",
                "SELECT 2",
            ],
            statements.Select(s => s.Text));
        Assert.All(statements, s => Assert.Equal(s.Text, text.Substring(s.Offset, s.Text.Length)));
    }

    [Fact]
    public void OffsetsMapToLinesAndColumns()
    {
        var script = SqlScript.Parse("s.sql", "SELECT 1;\n\n  CREATE TABLEE x (id int);\r\nSELECT 3;");

        var second = script.Statements[1];
        Assert.Equal((3, 3), script.LineColumnOf(second.Offset));
        // "TABLEE" starts at position 8 of the statement, as the server reports it.
        Assert.Equal((3, 10), script.LineColumnOf(second.Offset + 8 - 1));
        Assert.Equal((4, 1), script.LineColumnOf(script.Statements[2].Offset));
    }

    [Fact]
    public void ParametersAndIdentifiersWithDollarsAreNotQuotes()
    {
        var statements = SqlScript.Parse("s.sql", "SELECT $1, a$b$c FROM t; SELECT 2;").Statements;

        Assert.Equal(["SELECT $1, a$b$c FROM t", "SELECT 2"], statements.Select(s => s.Text));
    }

    [Fact]
    public void TheDemoSchemaAndSeedSplitIntoTheirStatements()
    {
        var db = Path.Combine(AppContext.BaseDirectory, "../../../../../demo/cruddur/backend-flask/db");

        Assert.Equal(6, SqlScript.Load(Path.Combine(db, "schema.sql")).Statements.Count);
        Assert.Equal(2, SqlScript.Load(Path.Combine(db, "seed.sql")).Statements.Count);
    }

    private static string[] Split(string text) => SqlScript.Parse("s.sql", text).Statements.Select(s => s.Text).ToArray();

    [Fact]
    public void AnErrorAtTheEndOfAStatementIsReportedAfterItsLastCharacterOnItsOwnLine()
    {
        // "syntax error at end of input" points one past the statement: at the newline that ends it, or at the end of the file.
        var script = SqlScript.Parse("s.sql", "CREATE TABLE t (\n;\nSELECT (");

        var first = script.Statements[0];
        Assert.Equal((1, 17), script.LineColumnOf(first.Offset + first.Text.Length));
        var last = script.Statements[1];
        Assert.Equal((3, 9), script.LineColumnOf(last.Offset + last.Text.Length));
    }

    [Fact]
    public void MinusAndSlashOperatorsAreNotComments()
    {
        Assert.Equal(["SELECT 5 - 3", "SELECT 6 / 3", "SELECT 2"], Split("SELECT 5 - 3; SELECT 6 / 3; SELECT 2"));
    }

    [Fact]
    public void ALineCommentEndsAtItsNewlineAndWhatFollowsIsScanned()
    {
        var script = SqlScript.Parse("s.sql", "SELECT 1 -- one\n;SELECT 2; -- two\n\nSELECT 3");

        Assert.Equal(["SELECT 1 -- one", "SELECT 2", "SELECT 3"], script.Statements.Select(s => s.Text));
        Assert.Equal((4, 1), script.LineColumnOf(script.Statements[2].Offset));
    }

    [Fact]
    public void AStatementAtTheVeryStartWithoutASemicolonIsKept()
    {
        var statements = SqlScript.Parse("s.sql", "SELECT 1").Statements;

        Assert.Equal([new SqlStatement("SELECT 1", 0)], statements);
    }

    [Theory]
    [InlineData("SELECT 1; /* unterminated")]
    [InlineData("SELECT 1; /* ends in a slash /")]
    [InlineData("SELECT 1; /* ends in a star *")]
    public void AnUnterminatedBlockCommentRunsToTheEnd(string text)
    {
        Assert.Equal(["SELECT 1"], Split(text));
    }

    [Theory]
    [InlineData("SELECT 'open; SELECT 2", "SELECT 'open; SELECT 2")]
    [InlineData("SELECT \"open; SELECT 2", "SELECT \"open; SELECT 2")]
    public void AnUnterminatedStringOrIdentifierSwallowsTheRest(string text, params string[] statements)
    {
        Assert.Equal(statements, Split(text));
    }

    [Theory]
    [InlineData("'a\\'; SELECT 2", "'a\\'", "SELECT 2")] // a backslash ends nothing in a standard string
    [InlineData("SELECT 1; SELECT 'b'", "SELECT 1", "SELECT 'b'")]
    public void AStringAtTheVeryStartOrEndOfTheText(string text, params string[] statements)
    {
        Assert.Equal(statements, Split(text));
    }

    [Fact]
    public void AnEmptyStringIsClosedByItsSecondQuote()
    {
        Assert.Equal(["SELECT ''", "SELECT 2"], Split("SELECT ''; SELECT 2"));
    }

    [Fact]
    public void ADoubledQuoteInsideAnEscapeStringDoesNotEndIt()
    {
        // After '' the E'' string goes on, so \' is still an escaped quote and the ; is inside the string.
        Assert.Equal(["SELECT E'a''\\'; b'", "SELECT 2"], Split("SELECT E'a''\\'; b'; SELECT 2"));
    }

    [Theory]
    [InlineData("E'it\\'s; fine'; SELECT 2", "E'it\\'s; fine'", "SELECT 2")] // E'' at the very start escapes
    [InlineData("SELECT ('a\\'); SELECT 2", "SELECT ('a\\')", "SELECT 2")] // a standard string ends at the first quote
    [InlineData("SELECT date'a\\'; SELECT 2", "SELECT date'a\\'", "SELECT 2")] // an identifier ending in e is no E prefix
    [InlineData("xe'a\\'; SELECT 2", "xe'a\\'", "SELECT 2")]
    public void OnlyAnEOfItsOwnMakesAnEscapeString(string text, params string[] statements)
    {
        Assert.Equal(statements, Split(text));
    }

    [Fact]
    public void ABackslashInAQuotedIdentifierIsAnOrdinaryCharacter()
    {
        Assert.Equal(["SELECT 1 AS \"back\\\"", "SELECT 2"], Split("SELECT 1 AS \"back\\\"; SELECT 2"));
    }

    [Theory]
    [InlineData("$$ a; b $$; SELECT 2", "$$ a; b $$", "SELECT 2")]
    [InlineData("$t$ a; b $t$; SELECT 2", "$t$ a; b $t$", "SELECT 2")]
    public void ADollarQuoteAtTheVeryStart(string text, params string[] statements)
    {
        Assert.Equal(statements, Split(text));
    }

    [Theory]
    [InlineData("$$ open; SELECT 2", "$$ open; SELECT 2")]
    [InlineData("SELECT $$", "SELECT $$")]
    public void AnUnterminatedDollarQuoteSwallowsTheRest(string text, params string[] statements)
    {
        Assert.Equal(statements, Split(text));
    }

    [Theory]
    [InlineData("SELECT $1", "SELECT $1")]
    [InlineData("SELECT $1$; SELECT 2", "SELECT $1$", "SELECT 2")] // a tag cannot start with a digit
    public void AParameterIsNotADollarTag(string text, params string[] statements)
    {
        Assert.Equal(statements, Split(text));
    }
}
