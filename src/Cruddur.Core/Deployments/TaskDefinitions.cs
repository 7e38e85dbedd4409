using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Task and service definitions as the user's JSON (ecspresso-style): read-only fields stripped, the image swapped, and
/// checked for what ECS would reject, so a bad file fails before anything is registered.
/// </summary>
internal static partial class TaskDefinitions
{
    /// <summary>Fields DescribeTaskDefinition returns that RegisterTaskDefinition refuses.</summary>
    public static readonly IReadOnlyList<string> ReadOnlyFields =
        ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy", "deregisteredAt"];

    private static readonly HashSet<string> RegisterFields = new(StringComparer.Ordinal)
    {
        "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes", "placementConstraints",
        "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode", "proxyConfiguration", "inferenceAccelerators",
        "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
    };

    private static readonly HashSet<string> ContainerFields = new(StringComparer.Ordinal)
    {
        "name", "image", "repositoryCredentials", "cpu", "memory", "memoryReservation", "links", "portMappings", "essential",
        "restartPolicy", "entryPoint", "command", "environment", "environmentFiles", "mountPoints", "volumesFrom", "linuxParameters",
        "secrets", "dependsOn", "startTimeout", "stopTimeout", "versionConsistency", "hostname", "user", "workingDirectory",
        "disableNetworking", "privileged", "readonlyRootFilesystem", "dnsServers", "dnsSearchDomains", "extraHosts",
        "dockerSecurityOptions", "interactive", "pseudoTerminal", "dockerLabels", "ulimits", "logConfiguration", "healthCheck",
        "systemControls", "resourceRequirements", "firelensConfiguration", "credentialSpecs",
    };

    private static readonly HashSet<string> NetworkModes = new(StringComparer.Ordinal) { "bridge", "host", "awsvpc", "none" };

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,255}\z")]
    private static partial Regex NamePattern();

    /// <summary>A copy without the fields ECS adds on registration.</summary>
    public static JsonObject StripReadOnly(JsonObject definition)
    {
        var copy = (JsonObject)definition.DeepClone();
        foreach (var field in ReadOnlyFields)
        {
            copy.Remove(field);
        }

        return copy;
    }

    /// <summary>The container definition named <paramref name="name"/>, or an error listing the names there are.</summary>
    public static JsonObject Container(JsonObject definition, string name, string source)
    {
        var containers = (definition["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return containers.FirstOrDefault(c => (string?)c["name"] == name)
            ?? throw new CruddurException(ErrorIds.TaskContainerNotFound, ErrorKind.ObjectNotFound,
                $"{source} has no container named '{name}' (it has: {string.Join(", ", containers.Select(c => (string?)c["name"]))}).", target: name);
    }

    /// <summary>Checks what RegisterTaskDefinition would reject; every problem is listed in one error.</summary>
    public static void Validate(JsonObject definition, string source)
    {
        var problems = new List<string>();
        foreach (var (key, _) in definition)
        {
            if (!RegisterFields.Contains(key))
            {
                problems.Add($"'{key}' is not a task definition field");
            }
        }

        if (!NamePattern().IsMatch(AwsJson.TextOrNull(definition["family"]) ?? string.Empty))
        {
            problems.Add("'family' must be 1-255 letters, digits, '-' or '_'");
        }

        if (definition["networkMode"] is not null && !NetworkModes.Contains(AwsJson.TextOrNull(definition["networkMode"]) ?? string.Empty))
        {
            problems.Add("'networkMode' must be one of bridge, host, awsvpc, none");
        }

        var containers = definition["containerDefinitions"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            problems.Add("'containerDefinitions' must be a non-empty array");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < containers.Count; i++)
            {
                ContainerProblems(containers[i] as JsonObject, $"containerDefinitions[{i}]", names, problems);
            }
        }

        var compat = (definition["requiresCompatibilities"] as JsonArray ?? []).Select(x => x?.ToString()).ToList();
        if (compat.Contains("FARGATE"))
        {
            if ((string?)definition["networkMode"] != "awsvpc")
            {
                problems.Add("Fargate needs 'networkMode': 'awsvpc'");
            }

            if (definition["cpu"] is null || definition["memory"] is null)
            {
                problems.Add("Fargate needs task-level 'cpu' and 'memory' (e.g. \"256\" and \"512\")");
            }
        }

        if (problems.Count > 0)
        {
            throw new CruddurException(ErrorIds.DeployDefinitionInvalid, ErrorKind.InvalidData,
                $"{source}: ECS would reject this task definition: {string.Join("; ", problems)}. Fix it and run the command again; nothing was registered.", target: source);
        }
    }

    /// <summary>What RegisterTaskDefinition would reject in one container definition (<paramref name="names"/>: the names seen so far).</summary>
    private static void ContainerProblems(JsonObject? c, string at, HashSet<string> names, List<string> problems)
    {
        if (c is null)
        {
            problems.Add($"'{at}' must be an object");
            return;
        }

        foreach (var (key, _) in c)
        {
            if (!ContainerFields.Contains(key))
            {
                problems.Add($"'{at}.{key}' is not a container definition field");
            }
        }

        var cn = AwsJson.TextOrNull(c["name"]);
        if (cn is null || !NamePattern().IsMatch(cn))
        {
            problems.Add($"'{at}.name' must be 1-255 letters, digits, '-' or '_'");
        }
        else if (!names.Add(cn))
        {
            problems.Add($"'{at}.name' repeats the container name '{cn}'");
        }

        if (string.IsNullOrWhiteSpace(AwsJson.TextOrNull(c["image"])))
        {
            problems.Add($"'{at}.image' is required");
        }

        foreach (var number in new[] { "cpu", "memory", "memoryReservation" })
        {
            if (c[number] is { } value && !IsInteger(value))
            {
                problems.Add($"'{at}.{number}' must be a whole number");
            }
        }
    }

    private static bool IsInteger(JsonNode value) => value is JsonValue v
        && ((v.TryGetValue(out double d) && d == Math.Floor(d)) || (v.TryGetValue(out string? s) && int.TryParse(s, out _)));

    /// <summary>
    /// A copy that reads the same whether it is a file's definition or what DescribeTaskDefinition returns for it: without
    /// the read-only fields, the values ECS fills in for fields left out (a container's cpu 0 and essential true, a port
    /// mapping's tcp protocol and, in awsvpc mode, its hostPort equal to the containerPort, enableFaultInjection false),
    /// and without empty lists, empty objects and nulls.
    /// </summary>
    private static JsonObject Comparable(JsonObject definition)
    {
        var copy = StripReadOnly(definition);
        var awsvpc = IsText(copy["networkMode"], "awsvpc");
        RemoveWhen(copy, "enableFaultInjection", v => v is JsonValue j && j.TryGetValue(out bool b) && !b);
        foreach (var container in (copy["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            RemoveWhen(container, "cpu", v => v is JsonValue j && j.TryGetValue(out double d) && d == 0);
            RemoveWhen(container, "essential", v => v is JsonValue j && j.TryGetValue(out bool b) && b);
            foreach (var mapping in (container["portMappings"] as JsonArray ?? []).OfType<JsonObject>())
            {
                RemoveWhen(mapping, "protocol", v => IsText(v, "tcp"));
                RemoveWhen(mapping, "hostPort", v => awsvpc && v?.ToJsonString() == mapping["containerPort"]?.ToJsonString());
            }
        }

        DropEmpty(copy);
        return copy;
    }

    private static bool IsText(JsonNode? node, string text) => node is JsonValue v && v.TryGetValue(out string? s) && s == text;

    private static void RemoveWhen(JsonObject o, string key, Func<JsonNode?, bool> isDefault)
    {
        if (o.TryGetPropertyValue(key, out var value) && isDefault(value))
        {
            o.Remove(key);
        }
    }

    private static void DropEmpty(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                DropEmpty(value);
                if (value is null || value is JsonArray { Count: 0 } || value is JsonObject { Count: 0 })
                {
                    o.Remove(key);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
            {
                DropEmpty(item);
            }
        }
    }

    /// <summary>
    /// Whether registering <paramref name="next"/> would give the same task definition as <paramref name="described"/>
    /// (DescribeTaskDefinition's answer): no difference <see cref="Diff"/> would show.
    /// </summary>
    public static bool Same(JsonObject described, JsonObject next) => Diff(described, next).Count == 0;

    /// <summary>
    /// A readable diff of two definitions, one changed leaf per line (<c>~ path: old -> new</c>, <c>+</c> added, <c>-</c>
    /// removed). Arrays of named objects (containers, environment) are keyed by name, so a reorder is no change.
    /// Environment values are never shown, only their names: <c>~ ...environment[NAME]: changed</c>, and per container
    /// one line naming the unchanged ones (secrets[] show their ARNs, which are not secret). What ECS fills in on
    /// registration is no difference (<see cref="Comparable"/>).
    /// </summary>
    public static IReadOnlyList<string> Diff(JsonObject? before, JsonObject after)
    {
        var a = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var b = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (before is not null)
        {
            Flatten(Comparable(before), string.Empty, a);
        }

        Flatten(Comparable(after), string.Empty, b);
        var lines = new List<string>();
        var unchangedVariables = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            var inA = a.TryGetValue(key, out var va);
            var inB = b.TryGetValue(key, out var vb);
            if (EnvironmentEntry().Match(key) is { Success: true } variable)
            {
                // One line per variable, from its value leaf (or its only leaf); what it holds is not shown.
                if (variable.Groups["leaf"].Value == "name" && (a.ContainsKey(variable.Groups["entry"].Value + ".value") || b.ContainsKey(variable.Groups["entry"].Value + ".value")))
                {
                    continue;
                }

                var entry = variable.Groups["entry"].Value;
                if (inA && inB && va == vb)
                {
                    var list = unchangedVariables.TryGetValue(variable.Groups["container"].Value, out var l) ? l : unchangedVariables[variable.Groups["container"].Value] = [];
                    list.Add(variable.Groups["name"].Value);
                }
                else
                {
                    lines.Add(inA && inB ? $"~ {entry}: changed" : inA ? $"- {entry}: removed" : $"+ {entry}: added");
                }

                continue;
            }

            if (inA && inB && va != vb)
            {
                lines.Add($"~ {key}: {va} -> {vb}");
            }
            else if (inA && !inB)
            {
                lines.Add($"- {key}: {va}");
            }
            else if (!inA && inB)
            {
                lines.Add($"+ {key}: {vb}");
            }
        }

        if (lines.Count > 0)
        {
            lines.AddRange(unchangedVariables.Select(u => $"= {u.Key}.environment unchanged: {string.Join(", ", u.Value)}"));
        }

        return lines;
    }

    // containerDefinitions[c].environment[NAME].value (or [3].value for entries without a name).
    [GeneratedRegex(@"^(?<entry>(?<container>.*?)\.environment\[(?<name>[^\]]*)\])\.(?<leaf>.+)$")]
    private static partial Regex EnvironmentEntry();

    private static void Flatten(JsonNode? node, string path, IDictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    Flatten(value, path.Length == 0 ? key : $"{path}.{key}", into);
                }

                break;
            case JsonArray arr when arr.Count > 0 && arr.All(x => x is JsonObject xo && xo["name"] is JsonValue):
                foreach (var item in arr.OfType<JsonObject>())
                {
                    Flatten(item, $"{path}[{(string?)item["name"]}]", into);
                }

                break;
            case JsonArray arr when arr.Count > 0:
                for (var i = 0; i < arr.Count; i++)
                {
                    Flatten(arr[i], $"{path}[{i}]", into);
                }

                break;
            default:
                into[path] = node?.ToJsonString() ?? "null";
                break;
        }
    }
}
