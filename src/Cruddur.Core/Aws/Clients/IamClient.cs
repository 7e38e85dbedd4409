using System.Xml.Linq;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A managed policy attached to a role.</summary>
internal sealed record AttachedPolicy(string Name, string Arn);

/// <summary>IAM roles and their policies as the module uses them. Policy documents are JSON text.</summary>
internal interface IIamClient
{
    /// <summary>The role's ARN and trust policy, or null when there is no such role.</summary>
    Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken);

    /// <summary>The names of the role's inline policies.</summary>
    Task<IReadOnlyList<string>> ListRolePolicyNamesAsync(string roleName, CancellationToken cancellationToken);

    /// <summary>The managed policies attached to the role.</summary>
    Task<IReadOnlyList<AttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken);

    /// <summary>An inline policy's document, or null when the role has no such policy.</summary>
    Task<string?> GetRolePolicyDocumentAsync(string roleName, string policyName, CancellationToken cancellationToken);

    /// <summary>A managed policy's default version document, or null when the policy does not exist.</summary>
    Task<string?> GetManagedPolicyDocumentAsync(string policyArn, CancellationToken cancellationToken);

    /// <summary>Creates a role with the given trust policy; returns its ARN.</summary>
    Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken cancellationToken);

    /// <summary>Replaces the role's trust policy.</summary>
    Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken cancellationToken);

    /// <summary>Creates or replaces an inline policy of the role.</summary>
    Task PutRolePolicyAsync(string roleName, string policyName, string policyDocument, CancellationToken cancellationToken);

    /// <summary>Attaches a managed policy to the role (attaching one that is already attached changes nothing).</summary>
    Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken);
}

/// <summary><see cref="IIamClient"/> over the Query protocol (API version 2010-05-08).</summary>
internal sealed class IamClient : IIamClient
{
    private readonly QueryProtocol _api;

    public IamClient(AwsContext context, IOperationHost host) => _api = new QueryProtocol(context, AwsService.Iam, "2010-05-08", host);

    public Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken) =>
        OrNullAsync(() => _api.CallAsync("GetRole", new Dictionary<string, string> { ["RoleName"] = roleName }, idempotent: true,
            r => ((string Arn, string TrustPolicy)?)(Text(Required(r, "Role"), "Arn"), Uri.UnescapeDataString(Text(Required(r, "Role"), "AssumeRolePolicyDocument"))), cancellationToken));

    public Task<IReadOnlyList<string>> ListRolePolicyNamesAsync(string roleName, CancellationToken cancellationToken) =>
        ListAsync("ListRolePolicies", roleName, "PolicyNames", member => member.Value, cancellationToken);

    public Task<IReadOnlyList<AttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken) =>
        ListAsync("ListAttachedRolePolicies", roleName, "AttachedPolicies", member => new AttachedPolicy(Text(member, "PolicyName"), Text(member, "PolicyArn")), cancellationToken);

    public Task<string?> GetRolePolicyDocumentAsync(string roleName, string policyName, CancellationToken cancellationToken) =>
        OrNullAsync(() => _api.CallAsync("GetRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyName"] = policyName }, idempotent: true,
            r => (string?)Uri.UnescapeDataString(Text(r, "PolicyDocument")), cancellationToken));

    public Task<string?> GetManagedPolicyDocumentAsync(string policyArn, CancellationToken cancellationToken) =>
        OrNullAsync(async () =>
        {
            var version = await _api.CallAsync("GetPolicy", new Dictionary<string, string> { ["PolicyArn"] = policyArn }, idempotent: true,
                r => Text(Required(r, "Policy"), "DefaultVersionId"), cancellationToken).ConfigureAwait(false);
            return await _api.CallAsync("GetPolicyVersion", new Dictionary<string, string> { ["PolicyArn"] = policyArn, ["VersionId"] = version }, idempotent: true,
                r => (string?)Uri.UnescapeDataString(Text(Required(r, "PolicyVersion"), "Document")), cancellationToken).ConfigureAwait(false);
        });

    // Not idempotent: after a 5xx the role may exist, and a repeat would fail with EntityAlreadyExists.
    public Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) =>
        _api.CallAsync("CreateRole", new Dictionary<string, string> { ["RoleName"] = roleName, ["AssumeRolePolicyDocument"] = trustPolicy }, idempotent: false,
            r => Text(Required(r, "Role"), "Arn"), cancellationToken);

    // Idempotent: these set a value (a policy document, an attachment) that a repeat sets again.
    public Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) =>
        _api.CallAsync("UpdateAssumeRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyDocument"] = trustPolicy }, idempotent: true, cancellationToken);

    public Task PutRolePolicyAsync(string roleName, string policyName, string policyDocument, CancellationToken cancellationToken) =>
        _api.CallAsync("PutRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyName"] = policyName, ["PolicyDocument"] = policyDocument }, idempotent: true, cancellationToken);

    public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken) =>
        _api.CallAsync("AttachRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyArn"] = policyArn }, idempotent: true, cancellationToken);

    private static async Task<T?> OrNullAsync<T>(Func<Task<T?>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchEntity")
        {
            return default;
        }
    }

    private static string Text(XElement parent, string name) => Child(parent, name)?.Value ?? string.Empty;

    private static XElement Required(XElement parent, string name) => Child(parent, name) ?? throw new FormatException($"<{name}> is missing");

    private static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private async Task<IReadOnlyList<T>> ListAsync<T>(string action, string roleName, string listName, Func<XElement, T> read, CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(marker =>
        {
            var parameters = new Dictionary<string, string> { ["RoleName"] = roleName };
            if (marker is not null)
            {
                parameters["Marker"] = marker;
            }

            return _api.CallAsync(action, parameters, idempotent: true, r => new AwsPage<T>(
                Child(r, listName)?.Elements().Select(read).ToList() ?? [],
                Text(r, "IsTruncated") == "true" ? Text(r, "Marker") : null), cancellationToken);
        }, "IAM " + action).ConfigureAwait(false);
}
