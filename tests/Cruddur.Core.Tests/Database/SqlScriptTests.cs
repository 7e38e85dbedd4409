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
}
