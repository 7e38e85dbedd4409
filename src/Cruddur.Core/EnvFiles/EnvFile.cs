using Cruddur.Core.Hosting;

namespace Cruddur.Core.EnvFiles;

/// <summary>Where one template variable's value came from. Never holds the value itself.</summary>
public sealed record EnvFileVariable(string Name, string Source)
{
    public override string ToString() => $"{Name} ({Source})";
}

/// <summary>
/// An env file written from a template. The values stay in the file: this object names them and says where each came
/// from, so it can be shown, logged and piped without leaking secrets. Later cmdlets read values with <see cref="ReadValues"/>.
/// </summary>
public sealed class EnvFile
{
    public EnvFile(string path, string? template, IReadOnlyList<string> keys, IReadOnlyList<EnvFileVariable> variables)
    {
        Path = path;
        Template = template;
        Keys = keys;
        Variables = variables;
    }

    /// <summary>The env file (full path).</summary>
    public string Path { get; }

    /// <summary>The template it was rendered from (null for an env file that was only read).</summary>
    public string? Template { get; }

    /// <summary>The names the file defines (NAME=value lines), in file order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The template's variables and their sources (Variable, ParameterStore:/path/NAME, Environment, Default, Missing).</summary>
    public IReadOnlyList<EnvFileVariable> Variables { get; }

    /// <summary>Reads the file's current NAME=value pairs (docker --env-file rules: no quote handling, '#' lines are comments).</summary>
    public IReadOnlyDictionary<string, string> ReadValues() => EnvFileFormat.Read(Path);

    /// <summary>An EnvFile for an existing file (e.g. -EnvFile ./backend-flask.env).</summary>
    public static EnvFile Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new Hosting.CruddurException(ErrorIds.EnvFileNotFound, Hosting.ErrorKind.ObjectNotFound,
                $"The env file '{path}' does not exist. Create it with New-CruddurEnvFile or pass the path of an existing file.", target: path);
        }

        return new EnvFile(full, null, EnvFileFormat.Read(full).Keys.ToList(), []);
    }

    public override string ToString() => Path;
}

/// <summary>The NAME=value format of env files as docker and compose read them.</summary>
internal static class EnvFileFormat
{
    public static IReadOnlyDictionary<string, string> Read(string path) => Parse(File.ReadAllText(path));

    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue; // a bare NAME line means "take it from the environment" to docker; nothing to read here
            }

            values[trimmed[..equals].Trim()] = trimmed[(equals + 1)..];
        }

        return values;
    }
}
