using Cruddur.Core.EnvFiles;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.EnvFiles;

/// <summary>Reading an existing env file as docker --env-file does: what a piped -EnvFile / database URL lookup sees.</summary>
public sealed class EnvFileFormatTests
{
    [Fact]
    public void ReadsNameValueLinesAndSkipsCommentsBlankLinesAndLinesWithoutAName()
    {
        var values = EnvFileFormat.Parse(
            "# CONNECTION_URL=commented-out\r\n\n   \n  # INDENTED=comment\n=no-name\nBARE_NAME\n" +
            "  PADDED  =kept as is \r\nURL=postgresql://u:p@h:5432/db?sslmode=require\nDUP=first\nDUP=second\nEMPTY=\n");

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["PADDED"] = "kept as is ",
                ["URL"] = "postgresql://u:p@h:5432/db?sslmode=require",
                ["DUP"] = "second",
                ["EMPTY"] = "",
            },
            values);
    }

    [Fact]
    public void OpeningAFileThatDoesNotExistSaysHowToMakeIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"cruddur-missing-{Guid.NewGuid():N}.env");

        var e = Assert.Throws<CruddurException>(() => EnvFile.Open(missing));

        Assert.Equal((ErrorIds.EnvFileNotFound, ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("New-CruddurEnvFile", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpeningAnExistingFileListsItsNamesInFileOrder()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cruddur-open-{Guid.NewGuid():N}.env");
        File.WriteAllText(path, "# a comment\nB=2\nA=1\nC=x=y\n");
        try
        {
            var file = EnvFile.Open(path);

            Assert.Equal(["B", "A", "C"], file.Keys);
            Assert.Equal("x=y", file.ReadValues()["C"]);
            Assert.Equal(path, file.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
