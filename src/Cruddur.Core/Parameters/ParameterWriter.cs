using System.Text.RegularExpressions;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Parameters;

/// <summary>One parameter written by Set-CruddurParameter: its full name, new version and type. Never the value.</summary>
public sealed record ParameterWriteResult(string Name, long Version, string Type);

/// <summary>Writes named values as SecureString parameters under one path (the seed's <c>aws ssm put-parameter --type SecureString</c>).</summary>
internal static partial class ParameterWriter
{
    /// <summary>
    /// Checks every name, then writes each value under <paramref name="path"/> with overwrite. Names missing from
    /// <paramref name="values"/> are all reported in one error before anything is written.
    /// </summary>
    public static async Task<IReadOnlyList<ParameterWriteResult>> WriteAsync(
        ISsmClient ssm, string path, IReadOnlyList<string> names, IReadOnlyDictionary<string, string> values, string source,
        IOperationHost host, CancellationToken cancellationToken)
    {
        var prefix = ParameterStore.NormalizePath(path).TrimEnd('/') + "/";
        foreach (var name in names)
        {
            if (!NamePattern().IsMatch(name))
            {
                throw new CruddurException(ErrorIds.ParameterNameInvalid, ErrorKind.InvalidArgument,
                    $"'{name}' is not a parameter name. Use the variable's name as the env file has it, such as CONNECTION_URL (letters, digits, '.', '-', '_').", target: name);
            }
        }

        var missing = names.Where(n => !values.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new CruddurException(ErrorIds.ParameterValueMissing, ErrorKind.ObjectNotFound,
                $"{source} has no value for {string.Join(", ", missing)}. Pass names the file defines (its Keys), or add NAME=value lines for them. Nothing was written.",
                target: string.Join(",", missing));
        }

        var written = new List<ParameterWriteResult>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var fullName = prefix + name;
            if (!host.ShouldProcess(fullName, "Write SecureString parameter (overwrite)"))
            {
                continue;
            }

            var version = await ssm.PutSecureStringAsync(fullName, values[name], cancellationToken).ConfigureAwait(false);
            host.WriteVerbose($"Wrote {fullName} (SecureString, version {version}).");
            written.Add(new ParameterWriteResult(fullName, version, "SecureString"));
        }

        return written;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\z")]
    private static partial Regex NamePattern();
}
