using System.Xml.Linq;
using Cruddur.Core.Aws;

namespace Cruddur.Core.Iam;

/// <summary>The IAM calls the project makes, over the Query protocol. Policy documents come back as JSON text.</summary>
public sealed class IamClient
{
    private readonly IAwsQueryApi _api;

    public IamClient(IAwsQueryApi api) => _api = api;

    /// <summary>The role's &lt;Role&gt; element, or null when there is no such role.</summary>
    public async Task<XElement?> GetRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _api.InvokeAsync("GetRole", new Dictionary<string, string> { ["RoleName"] = roleName }, cancellationToken).ConfigureAwait(false);
            return Child(result, "Role");
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchEntity")
        {
            return null;
        }
    }

    /// <summary>The names of the role's inline policies.</summary>
    public Task<IReadOnlyList<string>> ListRolePolicyNamesAsync(string roleName, CancellationToken cancellationToken) =>
        ListAsync("ListRolePolicies", roleName, "PolicyNames", member => member.Value, cancellationToken);

    /// <summary>The managed policies attached to the role, as (name, ARN).</summary>
    public Task<IReadOnlyList<(string Name, string Arn)>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken) =>
        ListAsync("ListAttachedRolePolicies", roleName, "AttachedPolicies", member => (Text(member, "PolicyName"), Text(member, "PolicyArn")), cancellationToken);

    /// <summary>An inline policy's document (JSON).</summary>
    public async Task<string> GetRolePolicyDocumentAsync(string roleName, string policyName, CancellationToken cancellationToken)
    {
        var result = await _api.InvokeAsync("GetRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyName"] = policyName }, cancellationToken).ConfigureAwait(false);
        return Uri.UnescapeDataString(Text(result, "PolicyDocument"));
    }

    /// <summary>A managed policy's default version document (JSON), or null when the policy does not exist.</summary>
    public async Task<string?> GetManagedPolicyDocumentAsync(string policyArn, CancellationToken cancellationToken)
    {
        try
        {
            var policy = await _api.InvokeAsync("GetPolicy", new Dictionary<string, string> { ["PolicyArn"] = policyArn }, cancellationToken).ConfigureAwait(false);
            var version = Text(Child(policy, "Policy")!, "DefaultVersionId");
            var result = await _api.InvokeAsync("GetPolicyVersion", new Dictionary<string, string> { ["PolicyArn"] = policyArn, ["VersionId"] = version }, cancellationToken).ConfigureAwait(false);
            return Uri.UnescapeDataString(Text(Child(result, "PolicyVersion")!, "Document"));
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchEntity")
        {
            return null;
        }
    }

    /// <summary>The role's trust policy (JSON), or null when there is no such role.</summary>
    public async Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken) =>
        await GetRoleAsync(roleName, cancellationToken).ConfigureAwait(false) is { } role
            ? (Text(role, "Arn"), Uri.UnescapeDataString(Text(role, "AssumeRolePolicyDocument")))
            : null;

    /// <summary>Creates a role with the given trust policy; returns its ARN.</summary>
    public async Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken cancellationToken)
    {
        var result = await _api.InvokeAsync("CreateRole", new Dictionary<string, string> { ["RoleName"] = roleName, ["AssumeRolePolicyDocument"] = trustPolicy }, cancellationToken).ConfigureAwait(false);
        return Text(Child(result, "Role")!, "Arn");
    }

    /// <summary>Replaces the role's trust policy.</summary>
    public Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) =>
        _api.InvokeAsync("UpdateAssumeRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyDocument"] = trustPolicy }, cancellationToken);

    /// <summary>Creates or replaces an inline policy of the role.</summary>
    public Task PutRolePolicyAsync(string roleName, string policyName, string policyDocument, CancellationToken cancellationToken) =>
        _api.InvokeAsync("PutRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyName"] = policyName, ["PolicyDocument"] = policyDocument }, cancellationToken);

    /// <summary>Attaches a managed policy to the role (attaching one that is already attached changes nothing).</summary>
    public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken) =>
        _api.InvokeAsync("AttachRolePolicy", new Dictionary<string, string> { ["RoleName"] = roleName, ["PolicyArn"] = policyArn }, cancellationToken);

    /// <summary>The text of a direct child element (empty when absent).</summary>
    public static string Text(XElement parent, string name) => Child(parent, name)?.Value ?? string.Empty;

    private static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private async Task<IReadOnlyList<T>> ListAsync<T>(string action, string roleName, string listName, Func<XElement, T> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? marker = null;
        do
        {
            var parameters = new Dictionary<string, string> { ["RoleName"] = roleName };
            if (marker is not null)
            {
                parameters["Marker"] = marker;
            }

            var result = await _api.InvokeAsync(action, parameters, cancellationToken).ConfigureAwait(false);
            items.AddRange(Child(result, listName)?.Elements().Select(read) ?? []);
            marker = Text(result, "IsTruncated") == "true" ? Text(result, "Marker") : null;
        }
        while (marker is not null);

        return items;
    }
}
