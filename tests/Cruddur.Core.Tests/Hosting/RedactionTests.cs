using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("postgresql://u:s3cret@host/db", "postgresql://***@host/db")]
    [InlineData("postgresql://u:s3c@ret@host/db?x=1", "postgresql://***@host/db?x=1")]
    [InlineData("postgresql://app:Xq7/Zr?Kp9@db.example.com:5432/cruddur", "postgresql://***@db.example.com:5432/cruddur")]
    [InlineData("see 'postgresql://app:pa/ss@host:54x2/db': bad port", "see 'postgresql://***@host:54x2/db': bad port")]
    [InlineData("http://admin:hunter2@localhost:4567/api/health-check", "http://***@localhost:4567/api/health-check")]
    [InlineData("two: http://a:b@h1/ and https://c:d@h2/x", "two: http://***@h1/ and https://***@h2/x")]
    [InlineData("postgresql://host/db", "postgresql://host/db")]
    [InlineData("https://123456789012.dkr.ecr.us-east-1.amazonaws.com", "https://123456789012.dkr.ecr.us-east-1.amazonaws.com")]
    [InlineData("Host=h;Username=u;Password=s3cret;Database=d", "Host=h;Username=u;Password=***;Database=d")]
    [InlineData("pwd = 'a b c' rest", "pwd = *** rest")]
    [InlineData("no secrets here", "no secrets here")]
    public void EverythingBetweenSchemeAndTheLastAtIsSecret(string text, string shown) => Assert.Equal(shown, Redaction.Redact(text));

    [Fact]
    public void CruddurErrorsRedactMessageTargetAndInnerExceptions()
    {
        var inner = new InvalidOperationException("driver said postgresql://u:Inn3rS3cret@h/db", new IOException("Password=Inn3rS3cret2"));
        var e = new CruddurException("X", ErrorKind.InvalidData, "url http://u:Mess4geS3cret@h/ bad", inner, "postgresql://u:T4rgetS3cret@h/db");

        var all = e + " " + e.Target;
        foreach (var secret in new[] { "Mess4geS3cret", "T4rgetS3cret", "Inn3rS3cret", "Inn3rS3cret2" })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }

        Assert.IsType<RedactedException>(e.InnerException);
        Assert.Contains("InvalidOperationException", e.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnexpectedExceptionGetsTheCatchAllIdARealCategoryAndItsTypeInTheMessage()
    {
        var e = CruddurException.Unexpected(new System.Text.Json.JsonException("'<' is an invalid start of a value."));

        Assert.Equal("CruddurUnexpectedError", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("System.Text.Json.JsonException", e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.PermissionDenied, CruddurException.Unexpected(new UnauthorizedAccessException()).Kind);
    }
}
