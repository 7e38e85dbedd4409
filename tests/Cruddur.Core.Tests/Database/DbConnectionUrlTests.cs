using Cruddur.Core.Database;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Database;

public sealed class DbConnectionUrlTests
{
    [Fact]
    public void SeedUrlParsesAndNeverShowsThePassword()
    {
        var url = DbConnectionUrl.Parse("postgresql://postgres:password@postgres:5432/cruddur");

        Assert.Equal(("postgres", 5432, "cruddur", "postgres"), (url.Host, url.Port, url.Database, url.User));
        Assert.True(url.HasPassword);
        Assert.Equal("postgresql://postgres@postgres:5432/cruddur", url.ToString());
        Assert.DoesNotContain("password", url.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PercentEncodedCredentialsAreDecodedForTheDriver()
    {
        var url = DbConnectionUrl.Parse("postgres://app%40corp:p%40ss%3Aw%2Frd@db.example.com/cruddur%20db");

        Assert.Equal("app@corp", url.User);
        Assert.Equal("cruddur db", url.Database);
        Assert.Equal(5432, url.Port);
        Assert.Contains("Password=p@ss:w/rd", url.ToConnectionString(), StringComparison.Ordinal);
        Assert.Equal("connecting as *** failed", url.Scrub("connecting as p@ss:w/rd failed"));
        Assert.Equal("url had ***", url.Scrub("url had p%40ss%3Aw%2Frd"));
    }

    [Fact]
    public void Ipv6HostsPortAndQueryOptions()
    {
        var url = DbConnectionUrl.Parse("postgresql://u:p@[::1]:6543/cruddur?sslmode=verify-full&connect_timeout=7&application_name=cruddur-setup");

        Assert.Equal(("::1", 6543), (url.Host, url.Port));
        Assert.True(url.IsLocal);
        Assert.Equal("postgresql://u@[::1]:6543/cruddur", url.ToString());
        var cs = url.ToConnectionString();
        Assert.Contains("SSL Mode=VerifyFull", cs, StringComparison.Ordinal);
        Assert.Contains("Timeout=7", cs, StringComparison.Ordinal);
        Assert.Contains("Application Name=cruddur-setup", cs, StringComparison.Ordinal);
        Assert.Contains("Pooling=False", cs, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSchemeIsAnyCaseEmptyOptionsAreSkippedAndOptionValuesAreDecoded()
    {
        var url = DbConnectionUrl.Parse("POSTGRESQL://u:p@db.example.com:1/cruddur?&sslmode=require&&application_name=cruddur%20setup");

        Assert.Equal(("db.example.com", 1, "cruddur"), (url.Host, url.Port, url.Database));
        var cs = url.ToConnectionString();
        Assert.Contains("SSL Mode=Require", cs, StringComparison.Ordinal);
        Assert.Contains("Application Name=\"cruddur setup\"", cs, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMessageShowsTheSeedsFormOfTheUrl() =>
        Assert.EndsWith(
            "is not usable: it names no host; write it as postgresql://***@host:5432/cruddur. The form is postgresql://***@host:5432/cruddur?sslmode=require.",
            Assert.Throws<CruddurException>(() => DbConnectionUrl.Parse("postgresql://u:s3cret@/cruddur")).Message, StringComparison.Ordinal);

    [Fact]
    public void MissingDatabaseIsTheUsersAsLibpqDoes()
    {
        var url = DbConnectionUrl.Parse("postgresql://postgres:password@localhost");

        Assert.Equal(("localhost", 5432, "postgres"), (url.Host, url.Port, url.Database));
        Assert.Equal("postgres", url.WithDatabase("postgres").Database);
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.45.3.2", true)]
    [InlineData("::1", true)]
    [InlineData("db", true)]
    [InlineData("128.0.0.1", false)]
    [InlineData("cruddur-instance.abc.eu-west-2.rds.amazonaws.com", false)]
    [InlineData("postgres", false)]
    [InlineData("::2", false)]
    public void LocalHosts(string host, bool local) => Assert.Equal(local, DbConnectionUrl.IsLocalHost(host));

    [Theory]
    [InlineData("postgresql://u:s3cret@:5432/cruddur", "names no host")]
    [InlineData("postgresql://u:s3cret@/cruddur", "names no host")]
    [InlineData("postgresql://u:s3cret@host:99999/cruddur", "port '99999'")]
    [InlineData("postgresql://u:s3cret@host:abc/cruddur", "port 'abc'")]
    [InlineData("postgresql://u:s3cret@host:0/cruddur", "its port '0' is not a number from 1 to 65535")]
    [InlineData("postgresql://u:s3cret@host:/cruddur", "its port '' is not a number from 1 to 65535")]
    [InlineData("mysql://u:s3cret@host:3306/cruddur", "scheme is 'mysql'")]
    [InlineData("u:s3cret@host/cruddur", "scheme is 'none'")]
    [InlineData("postgresql://u:s3cret@host/cruddur?sslmode=maybe", "sslmode 'maybe'")]
    [InlineData("postgresql://u:s3cret@host/cruddur?target_session_attrs=any", "option 'target_session_attrs'")]
    [InlineData("postgresql://u:s3cret@[::1/cruddur", "closing ']'")]
    [InlineData("postgresql://u:s3cret@h1,h2/cruddur", "several hosts")]
    [InlineData("postgresql://u:s3cret@?sslmode=require", "names no host")]
    [InlineData("postgresql://u:s3cret@[::1]x/cruddur", "text follows its IPv6 host; write [::1]:5432")]
    [InlineData("postgresql://u:s3cret@[::1/cruddur", "its IPv6 host has no closing ']'")]
    [InlineData("postgresql://u:s3cret@ho%0Ast/cruddur", "its user, host or database name holds a control character")]
    [InlineData("postgresql://u%0Ax:s3cret@localhost/cruddur", "its user, host or database name holds a control character")]
    [InlineData("postgresql://u:s3cret@localhost/crud%0Adur", "its user, host or database name holds a control character")]
    [InlineData("postgresql://u:s3cret@host/cruddur?sslmode", "sslmode '' is not one of disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("postgresql://u:s3cret@host/cruddur?=require", "the option '' is not supported")]
    [InlineData("postgresql://u:s3cret@host/cruddur?connect_timeout=soon", "connect_timeout 'soon' is not a whole number of seconds")]
    [InlineData("postgresql://u:s3cret@host/cruddur?connect_timeout=-5", "connect_timeout '-5' is not a whole number of seconds")]
    public void BadUrlsAreRejectedWithoutThePassword(string text, string why)
    {
        var e = Assert.Throws<CruddurException>(() => DbConnectionUrl.Parse(text));

        Assert.Equal("DbConnectionUrlInvalid", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.Target?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://app:pa/ss?w0rd#x@db.example.com:5432/cruddur", "db.example.com", 5432, "cruddur")]
    [InlineData("postgresql://app:p@ss/w?rd@db.example.com/cruddur?sslmode=require", "db.example.com", 5432, "cruddur")]
    public void UnencodedSlashQuestionMarkAndAtInThePasswordParse(string text, string host, int port, string database)
    {
        var url = DbConnectionUrl.Parse(text);

        Assert.Equal((host, port, database, "app"), (url.Host, url.Port, url.Database, url.User));
        Assert.DoesNotContain("ss", url.ToString().Replace("postgresql", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://app:Xq7/Zr?Kp9@db.example.com:54x2/cruddur")]
    [InlineData("postgresql://app:Xq7/Zr?Kp9@db.example.com/cruddur?sslmode=nope")]
    [InlineData("postgresql://app:Xq7/Zr?Kp9@/cruddur")]
    [InlineData("app:Xq7/Zr?Kp9@db.example.com/cruddur")]
    public void NoPartOfAPasswordWithSlashOrQuestionMarkIsEverShown(string text)
    {
        var e = Assert.Throws<CruddurException>(() => DbConnectionUrl.Parse(text));

        Assert.Equal("DbConnectionUrlInvalid", e.ErrorId);
        foreach (var part in new[] { "Xq7", "Zr", "Kp9" })
        {
            Assert.DoesNotContain(part, e.Message + e.Target, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NulInTheDatabaseNameIsInvalid() =>
        Assert.Equal("DbConnectionUrlInvalid", Assert.Throws<CruddurException>(() => DbConnectionUrl.Parse("postgresql://u:p@localhost/crud%00dur")).ErrorId);

    [Theory]
    [InlineData("disable", "Disable")]
    [InlineData("allow", "Allow")]
    [InlineData("prefer", "Prefer")]
    [InlineData("require", "Require")]
    [InlineData("verify-ca", "VerifyCA")]
    [InlineData("verify-full", "VerifyFull")]
    public void EverySslModeLibpqKnowsIsAccepted(string mode, string npgsql) =>
        Assert.Contains($"SSL Mode={npgsql}", DbConnectionUrl.Parse($"postgresql://u:p@db.example.com/cruddur?sslmode={mode}").ToConnectionString(), StringComparison.Ordinal);

    [Fact]
    public void HighestPortIsAccepted() =>
        Assert.Equal(65535, DbConnectionUrl.Parse("postgresql://u:p@db.example.com:65535/cruddur").Port);

    [Fact]
    public void NoUserMeansPostgresAndItsDatabase()
    {
        var url = DbConnectionUrl.Parse("postgresql://localhost");

        Assert.Equal(("postgres", "postgres", false), (url.User, url.Database, url.HasPassword));
        Assert.Equal("nothing to hide", url.Scrub("nothing to hide"));
    }

    [Fact]
    public void AUserWithoutPasswordHasNone()
    {
        var url = DbConnectionUrl.Parse("postgresql://app@localhost/cruddur");

        Assert.Equal(("app", false), (url.User, url.HasPassword));
    }

    [Fact]
    public void APasswordWithoutUserIsTheDefaultUsersAndNeverItsName()
    {
        var url = DbConnectionUrl.Parse("postgresql://:s3cret@localhost/cruddur");

        Assert.Equal(("postgres", true), (url.User, url.HasPassword));
        Assert.Equal("postgresql://postgres@localhost:5432/cruddur", url.ToString());
        Assert.Contains("Password=s3cret", url.ToConnectionString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyUserInfoIsTheDefaultUserOnTheHost()
    {
        var url = DbConnectionUrl.Parse("postgresql://@localhost/cruddur");

        Assert.Equal(("localhost", "postgres", false), (url.Host, url.User, url.HasPassword));
    }

    [Fact]
    public void TheConnectionStringNamesCruddurKeepsNoPasswordAfterOpeningAndTakesTheCallersTimeout()
    {
        var url = DbConnectionUrl.Parse("postgresql://u:p@db.example.com/cruddur?connect_timeout=7");

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(url.ToConnectionString(timeoutSeconds: 3));

        Assert.Equal(("Cruddur", 3, false), (builder.ApplicationName, builder.Timeout, builder.PersistSecurityInfo));
        Assert.Equal(7, new Npgsql.NpgsqlConnectionStringBuilder(url.ToConnectionString()).Timeout);
    }

    [Fact]
    public void NoUrlIsACallersMistake() => Assert.Throws<ArgumentNullException>(() => DbConnectionUrl.Parse(null!));

    [Fact]
    public void BareIpv6HostTakesTheDefaultPort()
    {
        var url = DbConnectionUrl.Parse("postgresql://u:p@[::1]/cruddur");

        Assert.Equal(("::1", 5432, "cruddur"), (url.Host, url.Port, url.Database));
        Assert.Equal("::1", DbConnectionUrl.Parse("postgresql://u:p@[::1]").Host);
    }

    [Theory]
    // With a scheme, the URL is shown with its credentials masked and its host, port and database kept.
    [InlineData("postgresql://u:s3cret@host:99999/cruddur", "postgresql://***@host:99999/cruddur")]
    [InlineData("postgresql://host:99999/cruddur", "postgresql://host:99999/cruddur")]
    // Without one, what precedes the last '@' is hidden; with no '@' there is nothing to hide.
    [InlineData("u:s3cret@host/cruddur", "***@host/cruddur")]
    [InlineData("localhost/cruddur", "localhost/cruddur")]
    public void TheRejectedUrlIsShownWithoutItsPassword(string text, string shown)
    {
        var e = Assert.Throws<CruddurException>(() => DbConnectionUrl.Parse(text));

        Assert.Equal(shown, e.Target);
        Assert.StartsWith($"The connection URL '{shown}' is not usable: ", e.Message, StringComparison.Ordinal);
    }
}
