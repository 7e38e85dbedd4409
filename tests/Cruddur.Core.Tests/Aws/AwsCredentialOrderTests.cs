using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Aws;

/// <summary>AWS.Tools' order for credentials and region, and the region check, as a user of Set-AWSCredential expects them.</summary>
public sealed class AwsCredentialOrderTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"cruddur-credentials-{Guid.NewGuid():N}");

    public AwsCredentialOrderTests() => File.WriteAllText(_file, """
        [default]
        aws_access_key_id = AKIDFILEDEFAULT
        aws_secret_access_key = file-default-secret

        [other]
        aws_access_key_id = AKIDFILEOTHER
        aws_secret_access_key = file-other-secret
        """);

    public void Dispose() => File.Delete(_file);

    private static AwsContext Context(AwsSettings settings, params (string Name, string Value)[] environment) =>
        new(settings, environment.ToDictionary(e => e.Name, e => (string?)e.Value));

    private static string AccessKey(AwsSettings settings) => Context(settings with { Region = "us-east-1" }).Credentials.GetCredentials().AccessKey;

    private static Func<AwsKeys> Given(string accessKey) => () => new AwsKeys(accessKey, "secret-of-" + accessKey);

    [Fact]
    public void LiteralKeysWinThenProfileThenCredentialThenStoredCredentials()
    {
        var all = new AwsSettings(ProfileName: "other")
        {
            Keys = new AwsKeys("AKIDLITERAL", "literal-secret", "token"),
            ProfileLocation = _file,
            Credential = Given("AKIDCREDENTIAL"),
            StoredCredential = Given("AKIDSTORED"),
        };

        Assert.Equal("AKIDLITERAL", AccessKey(all));
        Assert.Equal("token", Context(all with { Region = "us-east-1" }).Credentials.GetCredentials().Token);
        Assert.Equal("AKIDFILEOTHER", AccessKey(all with { Keys = null }));
        Assert.Equal("AKIDCREDENTIAL", AccessKey(all with { Keys = null, ProfileName = null, ProfileLocation = null }));
        Assert.Equal("AKIDSTORED", AccessKey(all with { Keys = null, ProfileName = null, ProfileLocation = null, Credential = null }));
    }

    [Fact]
    public void AProfileLocationAloneMeansItsDefaultProfile()
    {
        Assert.Equal("AKIDFILEDEFAULT", AccessKey(new AwsSettings { ProfileLocation = _file }));
    }

    [Fact]
    public void StoredCredentialsThatNameAProfileAreReadLikeProfileName()
    {
        Assert.Equal("AKIDFILEOTHER", AccessKey(new AwsSettings { StoredProfileName = "other", ProfileLocation = _file }));
    }

    [Fact]
    public void AProfileLocationThatDoesNotExistIsNamed()
    {
        var error = Assert.Throws<CruddurException>(() => AccessKey(new AwsSettings { ProfileLocation = _file + ".missing" }));

        Assert.Equal("AwsProfileLocationNotFound", error.ErrorId);
    }

    [Fact]
    public void RegionComesFromParameterThenStoredRegionThenEnvironment()
    {
        Assert.Equal("ca-central-1", Context(new AwsSettings(Region: "ca-central-1") { StoredRegion = "eu-west-1" }, ("AWS_REGION", "eu-west-2")).Region);
        Assert.Equal("eu-west-1", Context(new AwsSettings { StoredRegion = "eu-west-1" }, ("AWS_REGION", "eu-west-2")).Region);
    }

    [Fact]
    public void AMistypedRegionSaysWhereItCameFromAndWhatItIsClosestTo()
    {
        var error = Assert.Throws<CruddurException>(() => Context(new AwsSettings { StoredRegion = "us-est-1" }).Region);

        Assert.Equal("AwsRegionUnknown", error.ErrorId);
        Assert.Contains("'us-est-1' (from $StoredAWSRegion)", error.Message);
        Assert.Contains("did you mean us-east-1", error.Message);
        Assert.Contains(AwsContext.AllowUnknownRegion, error.Message);
    }

    [Fact]
    public void ARegionNewerThanTheModuleCanBeAllowed()
    {
        Assert.Equal("xx-newplace-1", Context(new AwsSettings(Region: "xx-newplace-1"), (AwsContext.AllowUnknownRegion, "true")).Region);
    }

    [Fact]
    public void RegionsOfEveryPartitionAreKnown()
    {
        Assert.Equal("cn-north-1", Context(new AwsSettings(Region: "cn-north-1")).Region);
        Assert.Equal("us-gov-west-1", Context(new AwsSettings(Region: "us-gov-west-1")).Region);
    }

    [Fact]
    public void SettingsNeverPrintSecrets()
    {
        var settings = new AwsSettings(Region: "us-east-1") { Keys = new AwsKeys("AKIDLITERAL", "literal-secret", "the-token") };

        Assert.DoesNotContain("literal-secret", settings.ToString());
        Assert.DoesNotContain("the-token", settings.ToString());
        Assert.DoesNotContain("literal-secret", settings.Keys!.ToString());
    }
}
