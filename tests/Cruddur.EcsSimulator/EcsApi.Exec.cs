using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>ExecuteCommand.</summary>
public sealed partial class EcsApi
{
    public const string ExecNotEnabledMessage =
        "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try again.";

    private JsonObject ExecuteCommand(JsonObject req, string region, int port)
    {
        var cluster = Cluster(req, region);
        var taskRef = Json.Str(req, "task") ?? throw EcsError.InvalidParameter("Task can not be blank.");
        var command = Json.Str(req, "command") ?? throw EcsError.InvalidParameter("Command can not be blank.");
        if (Json.Bool(req, "interactive") != true)
        {
            throw EcsError.InvalidParameter("Interactive is the only mode supported currently.");
        }
        var id = LastSegment(taskRef);
        if (id.Length is not (32 or 36))
        {
            throw EcsError.InvalidParameter("task length should be one of [32,36]");
        }
        var t = FindTask(cluster, id) ?? throw EcsError.InvalidParameter("The specified task was not found.");
        var containerName = Json.Str(req, "container");
        ContainerRec c;
        if (containerName is null)
        {
            if (t.Containers.Count != 1)
            {
                throw EcsError.InvalidParameter("The container name must be specified when the task has more than one container.");
            }
            c = t.Containers[0];
        }
        else
        {
            c = t.Containers.FirstOrDefault(x => x.Name == containerName)
                ?? throw EcsError.InvalidParameter($"The specified container {containerName} was not found in the task.");
        }
        if (!t.EnableExecuteCommand || t.LastStatus != Status.Running || c.LastStatus != Status.Running || c.AgentStartedAt is null)
        {
            throw EcsError.InvalidParameter(ExecNotEnabledMessage);
        }
        var sessionId = "ecs-execute-command-" + SimState.Hex(9)[..17];
        s.Sessions.Add(new ExecSession { SessionId = sessionId, TaskArn = t.Arn, Container = c.Name, Command = command, CreatedAt = SimState.Now });
        var kmsKeyId = (string?)cluster.Configuration?["executeCommandConfiguration"]?["kmsKeyId"];
        var token = channels.Issue(sessionId, $"ecs:{cluster.Name}_{id}_{c.RuntimeId}", id, command, kmsKeyId);
        return new JsonObject
        {
            ["clusterArn"] = cluster.Arn,
            ["containerArn"] = c.Arn,
            ["containerName"] = c.Name,
            ["interactive"] = true,
            ["taskArn"] = t.Arn,
            ["session"] = new JsonObject
            {
                ["sessionId"] = sessionId,
                ["streamUrl"] = channels.StreamUrl(port, sessionId),
                ["tokenValue"] = token,
            },
        };
    }
}
