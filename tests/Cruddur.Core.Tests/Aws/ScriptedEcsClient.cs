using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Tests.Aws;

/// <summary>A base for scripted ECS clients: a test overrides the calls it expects; any other call fails the test.</summary>
internal abstract class ScriptedEcsClient : IEcsClient
{
    public virtual Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) => Unexpected<IReadOnlyList<string>>();

    public virtual Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken) => Unexpected<EcsCluster?>();

    public virtual Task<EcsCluster> CreateClusterAsync(string name, string? serviceConnectNamespace, CancellationToken cancellationToken) => Unexpected<EcsCluster>();

    public virtual Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<string>>();

    public virtual Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<EcsService>>();

    public virtual Task<EcsService> CreateServiceAsync(JsonObject definition, CancellationToken cancellationToken) => Unexpected<EcsService>();

    public virtual Task<EcsService> UpdateServiceAsync(string cluster, string service, string taskDefinitionArn, ServiceChanges? changes, CancellationToken cancellationToken) => Unexpected<EcsService>();

    public virtual Task<IReadOnlyList<EcsServiceDeployment>> DescribeServiceDeploymentsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<EcsServiceDeployment>>();

    public virtual Task<IReadOnlyDictionary<string, string>> DescribeServiceRevisionsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken) => Unexpected<IReadOnlyDictionary<string, string>>();

    public virtual Task StopServiceDeploymentAsync(string serviceDeploymentArn, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task ContinueServiceDeploymentAsync(string serviceDeploymentArn, string hookId, bool rollback, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken) => Unexpected<EcsTaskDefinition>();

    public virtual Task<string> RegisterTaskDefinitionAsync(JsonObject definition, CancellationToken cancellationToken) => Unexpected<string>();

    public virtual Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<string>>();

    public virtual Task DeregisterTaskDefinitionAsync(string arn, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<string>>();

    public virtual Task TagResourceAsync(string arn, string key, string value, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string arn, CancellationToken cancellationToken) => Unexpected<IReadOnlyDictionary<string, string>>();

    public virtual Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<EcsTask>>();

    public virtual Task<EcsExecSession> ExecuteCommandAsync(string cluster, string task, string container, string command, CancellationToken cancellationToken) => Unexpected<EcsExecSession>();

    public virtual Task<(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<string> Failures)> RunTaskAsync(JsonObject request, CancellationToken cancellationToken) => Unexpected<(IReadOnlyList<EcsTask>, IReadOnlyList<string>)>();

    public virtual Task StopTaskAsync(string cluster, string task, string reason, CancellationToken cancellationToken) => Unexpected<bool>();

    /// <summary>Services as ECS answers them, read as the client reads them.</summary>
    protected static Task<IReadOnlyList<EcsService>> Answered(IEnumerable<JsonObject> services) =>
        Task.FromResult<IReadOnlyList<EcsService>>(services.Select(EcsClient.Service).ToList());

    /// <summary>A task definition as ECS answers it, read as the client reads it.</summary>
    protected static Task<EcsTaskDefinition> Defined(JsonObject definition) => Task.FromResult(EcsClient.TaskDefinition(definition));

    private static Task<T> Unexpected<T>([System.Runtime.CompilerServices.CallerMemberName] string call = "") =>
        throw new Xunit.Sdk.XunitException($"Unexpected ECS call {call}");
}
