using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator.Tests;

/// <summary>The ECS API model shipped with the machine's botocore (the aws CLI's), used to check that every member the
/// simulator sends or accepts exists in the model with the model's type (JSON 1.1: timestamps are epoch numbers).</summary>
public sealed class EcsModel
{
    private readonly JsonObject _shapes;
    private readonly JsonObject _operations;

    private EcsModel(JsonObject model)
    {
        _shapes = (JsonObject)model["shapes"]!;
        _operations = (JsonObject)model["operations"]!;
    }

    public static EcsModel Load()
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import botocore,os;print(os.path.dirname(botocore.__file__))");
        using var p = Process.Start(psi)!;
        var dir = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        using var gz = new GZipStream(File.OpenRead(Path.Combine(dir, "data", "ecs", "2014-11-13", "service-2.json.gz")), CompressionMode.Decompress);
        return new EcsModel((JsonObject)JsonNode.Parse(gz)!);
    }

    public string InputShape(string operation) => _operations[operation]!["input"]!["shape"]!.GetValue<string>();

    public string OutputShape(string operation) => _operations[operation]!["output"]!["shape"]!.GetValue<string>();

    /// <summary>Every way <paramref name="value"/> departs from the shape: unknown members, wrong types, values outside an
    /// enum or a range, and (when <paramref name="required"/>) missing required members.</summary>
    public List<string> Check(string shapeName, JsonNode? value, bool required, string path = "$")
    {
        var problems = new List<string>();
        var shape = (JsonObject)_shapes[shapeName]!;
        var type = shape["type"]!.GetValue<string>();
        if (value is null)
        {
            problems.Add($"{path}: null for {shapeName}");
            return problems;
        }
        switch (type)
        {
            case "structure" when shape["document"]?.GetValue<bool>() == true:
                break;
            case "structure":
                if (value is not JsonObject o)
                {
                    problems.Add($"{path}: {shapeName} must be an object");
                    break;
                }
                var members = (JsonObject)shape["members"]!;
                foreach (var (key, child) in o)
                {
                    if (members[key] is not JsonObject member)
                    {
                        problems.Add($"{path}.{key}: not a member of {shapeName}");
                        continue;
                    }
                    problems.AddRange(Check(member["shape"]!.GetValue<string>(), child, required, $"{path}.{key}"));
                }
                if (required)
                {
                    problems.AddRange((shape["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>())
                        .Where(r => !o.ContainsKey(r)).Select(r => $"{path}.{r}: required by {shapeName}"));
                }
                break;
            case "list":
                if (value is not JsonArray a)
                {
                    problems.Add($"{path}: {shapeName} must be a list");
                    break;
                }
                for (var i = 0; i < a.Count; i++)
                {
                    problems.AddRange(Check(shape["member"]!["shape"]!.GetValue<string>(), a[i], required, $"{path}[{i}]"));
                }
                break;
            case "map":
                if (value is not JsonObject m)
                {
                    problems.Add($"{path}: {shapeName} must be a map");
                    break;
                }
                foreach (var (key, child) in m)
                {
                    problems.AddRange(Check(shape["value"]!["shape"]!.GetValue<string>(), child, required, $"{path}[{key}]"));
                }
                break;
            case "string":
                if (Kind(value) != JsonValueKind.String)
                {
                    problems.Add($"{path}: {shapeName} must be a string");
                }
                else if (shape["enum"] is JsonArray values && !values.Any(v => v!.GetValue<string>() == value.GetValue<string>()))
                {
                    problems.Add($"{path}: '{value.GetValue<string>()}' is not a value of {shapeName}");
                }
                break;
            case "integer" or "long":
                if (Kind(value) != JsonValueKind.Number || Number(value) != Math.Floor(Number(value)))
                {
                    problems.Add($"{path}: {shapeName} must be an integer");
                }
                else if ((shape["min"] is { } min && Number(value) < Number(min)) || (shape["max"] is { } max && Number(value) > Number(max)))
                {
                    problems.Add($"{path}: {value} is outside the range of {shapeName}");
                }
                break;
            case "double" or "float" or "timestamp":
                if (Kind(value) != JsonValueKind.Number)
                {
                    problems.Add($"{path}: {shapeName} ({type}) must be a number");
                }
                break;
            case "boolean":
                if (Kind(value) is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{path}: {shapeName} must be a boolean");
                }
                break;
            default:
                problems.Add($"{path}: {shapeName} has type {type}, which this check does not know");
                break;
        }
        return problems;
    }

    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static JsonValueKind Kind(JsonNode node) => node is JsonValue v ? v.GetValueKind() : JsonValueKind.Undefined;
}

/// <summary>A simulator client that checks each request against the operation's input shape and each answer against its
/// output shape.</summary>
public sealed class CheckedClient(Sim sim, EcsModel model)
{
    public List<string> Problems { get; } = [];
    public HashSet<string> Operations { get; } = [];

    public async Task<JsonObject> CallAsync(string operation, JsonObject request)
    {
        Problems.AddRange(model.Check(model.InputShape(operation), request, required: true).Select(p => $"{operation} request {p}"));
        var response = await sim.OkAsync(operation, request);
        Problems.AddRange(model.Check(model.OutputShape(operation), response, required: false).Select(p => $"{operation} answer {p}"));
        Operations.Add(operation);
        return response;
    }
}
