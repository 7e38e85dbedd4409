using System.Reflection;
using System.Text.RegularExpressions;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests;

/// <summary>
/// ErrorIds is the one list of error ids: every id the sources raise is a constant there, every constant is raised somewhere,
/// and about_Cruddur documents each one (category, meaning, what to do).
/// </summary>
public sealed partial class ErrorIdCatalogueTests
{
    private static readonly string[] Areas = ["Aws", "Cruddur", "Db", "Deploy", "Edge", "EnvFile", "Exec", "Git", "Health", "Image", "Infra", "Log", "Parameter", "Service", "Task"];

    private static readonly string Root = FindRoot();

    private static readonly IReadOnlyList<string> Catalogue = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

    private static readonly IReadOnlyList<(string Path, string Text)> Sources = Directory
        .EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
        .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && Path.GetFileName(p) != "ErrorIds.cs")
        .Select(p => (Path.GetRelativePath(Root, p), File.ReadAllText(p))).ToList();

    [Fact]
    public void EveryIdIsNamedAfterItselfWithAnArea()
    {
        var fields = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral);
        Assert.All(fields, f => Assert.Equal(f.Name, (string)f.GetRawConstantValue()!));
        Assert.All(Catalogue, id => Assert.Matches($"^({string.Join('|', Areas)})[A-Z][A-Za-z0-9]+$", id));
    }

    [Fact]
    public void NoIdIsSpelledOutsideTheCatalogue()
    {
        // A literal passed with an ErrorKind is an id (new CruddurException("X", ErrorKind.Y, ...)); a literal equal to a
        // catalogued id is a copy of it. Both must be ErrorIds.X.
        var literals = Sources.SelectMany(s => IdLiteral().Matches(s.Text).Select(m => $"{s.Path}: \"{m.Groups[1].Value}\""))
            .Concat(Sources.SelectMany(s => Catalogue.Where(id => s.Text.Contains($"\"{id}\"", StringComparison.Ordinal)).Select(id => $"{s.Path}: \"{id}\"")))
            .Distinct().ToList();

        Assert.True(literals.Count == 0, "Error ids spelled as literals; add them to ErrorIds and use the constant:\n" + string.Join("\n", literals));
    }

    [Fact]
    public void EveryCataloguedIdIsRaised()
    {
        var unused = Catalogue.Where(id => !Sources.Any(s => Regex.IsMatch(s.Text, $@"\bErrorIds\.{id}\b"))).ToList();

        Assert.True(unused.Count == 0, "Catalogued ids nothing raises; remove them from ErrorIds and about_Cruddur.md:\n" + string.Join("\n", unused));
    }

    [Fact]
    public void AboutCruddurDocumentsEveryIdAndNoOther()
    {
        var rows = File.ReadAllLines(Path.Combine(Root, "docs", "en-US", "about_Cruddur.md"))
            .Select(l => DocRow().Match(l)).Where(m => m.Success && m.Groups[1].Value != "Id").ToList();
        var documented = rows.Select(m => m.Groups[1].Value).ToList();

        Assert.Empty(Catalogue.Except(documented).Select(id => $"{id}: not documented in about_Cruddur.md"));
        Assert.Empty(documented.Except(Catalogue).Select(id => $"{id}: documented but not in ErrorIds"));
        Assert.Empty(documented.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: documented twice"));
        Assert.All(rows, m => Assert.All(new[] { m.Groups[2], m.Groups[3], m.Groups[4] }, cell => Assert.False(string.IsNullOrWhiteSpace(cell.Value), $"{m.Groups[1].Value}: empty cell")));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "build.ps1")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with build.ps1 and src/) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"""([A-Z][A-Za-z0-9]+)""(?=\s*,\s*(?:Hosting\.)?ErrorKind\.)")]
    private static partial Regex IdLiteral();

    [GeneratedRegex(@"^\|\s*([A-Z][A-Za-z0-9]+)\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")]
    private static partial Regex DocRow();
}
