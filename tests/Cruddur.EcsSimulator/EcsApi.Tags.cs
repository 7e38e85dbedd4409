using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>Tagging: TagResource, UntagResource, ListTagsForResource.</summary>
public sealed partial class EcsApi
{
    private bool ResourceExists(string arn) =>
        s.Clusters.Values.Any(c => c.Arn == arn)
        || s.Services.Values.Any(v => v.Arn == arn)
        || s.Tasks.ContainsKey(arn)
        || s.TaskDefs.Values.SelectMany(l => l).Any(t => t.Arn == arn);

    private string ExistingResource(JsonObject req)
    {
        var arn = Json.Str(req, "resourceArn") ?? throw EcsError.InvalidParameter("ResourceArn can not be blank.");
        if (!ResourceExists(arn))
        {
            throw new EcsError("ResourceNotFoundException", "The specified resource could not be found.");
        }
        return arn;
    }

    private JsonObject TagResource(JsonObject req)
    {
        var arn = ExistingResource(req);
        SetTags(arn, req["tags"]);
        return [];
    }

    private JsonObject UntagResource(JsonObject req)
    {
        var arn = ExistingResource(req);
        var keys = Json.StrList(req, "tagKeys");
        if (s.Tags.TryGetValue(arn, out var tags))
        {
            foreach (var t in tags.OfType<JsonObject>().Where(t => keys.Contains(Json.Str(t, "key") ?? "")).ToList())
            {
                tags.Remove(t);
            }
        }
        return [];
    }

    private JsonObject ListTagsForResource(JsonObject req) => new() { ["tags"] = TagsOf(ExistingResource(req)) };
}
