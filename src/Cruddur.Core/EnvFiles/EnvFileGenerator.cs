using System.Text;
using Cruddur.Core.Git;
using Cruddur.Core.Hosting;
using Cruddur.Core.Parameters;

namespace Cruddur.Core.EnvFiles;

/// <summary>What to render: the template, where to, and where values come from besides the environment.</summary>
public sealed record EnvFileRequest(string TemplatePath, string DestinationPath)
{
    /// <summary>Values given explicitly (-Variable); they win over every other source.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Parameters read from Parameter Store (-ParameterPath); second after <see cref="Variables"/>.</summary>
    public IReadOnlyList<StoredParameter> Parameters { get; init; } = [];

    public bool AllowMissing { get; init; }
}

/// <summary>
/// Renders ERB env templates into env files. A value comes from, in this order: -Variable, Parameter Store
/// (-ParameterPath), the process environment, the template's ENV.fetch default. The file is written atomically with
/// mode 0600, or not at all.
/// </summary>
public sealed class EnvFileGenerator
{
    private readonly Func<string, string?> _environment;

    public EnvFileGenerator(Func<string, string?>? environment = null) => _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>
    /// Where a template's output goes: <paramref name="destination"/> when it names a file; inside it when it is a folder
    /// (existing, or written with a trailing separator); else the current folder. The name is the template's without ".erb".
    /// </summary>
    public static string ResolveDestination(string templatePath, string? destination, string currentDirectory)
    {
        var name = Path.GetFileName(templatePath);
        if (name.EndsWith(".erb", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^4];
        }

        string result;
        if (string.IsNullOrEmpty(destination))
        {
            result = Path.Combine(currentDirectory, name);
        }
        else
        {
            var full = Path.GetFullPath(destination, currentDirectory);
            result = Directory.Exists(full) || destination.EndsWith('/') || destination.EndsWith(Path.DirectorySeparatorChar) ? Path.Combine(full, name) : full;
        }

        result = Path.GetFullPath(result);
        if (string.Equals(result, Path.GetFullPath(templatePath), StringComparison.Ordinal))
        {
            throw new CruddurException(ErrorIds.EnvFileDestinationIsTemplate, ErrorKind.InvalidArgument,
                $"Writing '{templatePath}' would overwrite the template itself.", target: templatePath);
        }

        return result;
    }

    /// <summary>The error for a template path that names no file (the shell raises it too, for a path as typed).</summary>
    public static CruddurException TemplateNotFound(string path) => new(ErrorIds.EnvFileTemplateNotFound, ErrorKind.ObjectNotFound,
        $"The template '{path}' does not exist. Pass the path of an .erb template such as {SeedDefaults.EnvTemplate(SeedDefaults.BackendService)}.", target: path);

    /// <summary>Renders and writes; returns null when <see cref="IOperationHost.ShouldProcess"/> declined (-WhatIf).</summary>
    public async Task<EnvFile?> GenerateAsync(EnvFileRequest request, IOperationHost host, CancellationToken cancellationToken)
    {
        if (!File.Exists(request.TemplatePath))
        {
            throw TemplateNotFound(request.TemplatePath);
        }

        var template = ErbTemplate.Load(request.TemplatePath);
        var values = new ValueSources(request, template, _environment);
        var content = template.Render(values.Find, request.AllowMissing);

        // docker's --env-file format has no quoting: a line break in a value would start a new NAME=value line (an
        // injected key), and quotes would reach the container as part of the value. So such a value is refused.
        if (values.Multiline.Count > 0)
        {
            throw new CruddurException(ErrorIds.EnvFileValueMultiline, ErrorKind.InvalidData,
                $"The value of {string.Join(", ", values.Multiline)} holds a line break, which an env file cannot carry (it would start another NAME=value line). Remove the line break from the value (for a PEM key or JSON, store it base64-encoded). Nothing was written.",
                target: request.TemplatePath);
        }

        var variables = template.VariableNames.Select(n => new EnvFileVariable(n, values.Sources[n])).ToList();
        var keys = EnvFileFormat.Parse(content).Keys.ToList();

        var directory = Path.GetDirectoryName(request.DestinationPath)!;
        if (!Directory.Exists(directory))
        {
            throw new CruddurException(ErrorIds.EnvFileDestinationNotFound, ErrorKind.ObjectNotFound,
                $"The folder '{directory}' does not exist.", target: directory);
        }

        var action = $"Write env file from {Path.GetFileName(request.TemplatePath)} ({keys.Count} entries: {string.Join(", ", keys)})";
        if (!host.ShouldProcess(request.DestinationPath, action))
        {
            return null;
        }

        Write(request.DestinationPath, content);
        host.WriteVerbose($"Wrote {request.DestinationPath}: {string.Join(", ", variables.Select(v => $"{v.Name} from {v.Source}"))}");

        if (await GitWorkTree.IsTrackableAsync(request.DestinationPath, cancellationToken).ConfigureAwait(false))
        {
            host.WriteWarning($"{request.DestinationPath} holds secrets and lies in a git work tree that does not ignore it. Add '{Path.GetFileName(request.DestinationPath)}' (or '*.env') to .gitignore so it is never committed.");
        }

        return new EnvFile(request.DestinationPath, Path.GetFullPath(request.TemplatePath), keys, variables);
    }

    /// <summary>Writes <paramref name="content"/> atomically; a failure is EnvFileDestinationNotWritable and leaves nothing behind.</summary>
    private static void Write(string destination, string content)
    {
        try
        {
            WriteAtomically(destination, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CruddurException(ErrorIds.EnvFileDestinationNotWritable, e is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.ResourceUnavailable,
                $"'{destination}' cannot be written ({e.Message}). Nothing was written.", e, destination);
        }
    }

    /// <summary>Writes to a private temporary file beside the destination, then renames it over: readers see all or nothing.</summary>
    internal static void WriteAtomically(string destination, string content)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                var bytes = new UTF8Encoding(false).GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, destination, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Where each of a template's values comes from, in order: -Variable, Parameter Store (the last parameter of a name),
    /// the environment, the template's default. Keeps the source of every name looked up and the names whose value holds a line break.
    /// </summary>
    private sealed class ValueSources(EnvFileRequest request, ErbTemplate template, Func<string, string?> environment)
    {
        private readonly Dictionary<string, StoredParameter> _parameters = request.Parameters
            .GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

        /// <summary>Variable, ParameterStore:&lt;full name&gt;, Environment, Default or Missing, by name.</summary>
        public Dictionary<string, string> Sources { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Multiline { get; } = new(StringComparer.Ordinal);

        public string? Find(string name)
        {
            var (value, source) = Resolve(name);
            Sources[name] = source;
            if (value is not null && value.AsSpan().IndexOfAny('\n', '\r') >= 0)
            {
                Multiline.Add(name);
            }

            return value;
        }

        private (string? Value, string Source) Resolve(string name)
        {
            if (request.Variables.TryGetValue(name, out var value))
            {
                return (value, "Variable");
            }

            if (_parameters.TryGetValue(name, out var parameter))
            {
                return (parameter.Value, "ParameterStore:" + parameter.FullName);
            }

            value = environment(name);
            return value is not null ? (value, "Environment") : (null, template.HasDefault(name) ? "Default" : "Missing");
        }
    }
}
