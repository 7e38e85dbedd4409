using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Tests.Aws;

/// <summary>A base for scripted IAM clients: a test overrides the calls it expects; any other call fails the test.</summary>
internal abstract class ScriptedIamClient : IIamClient
{
    public virtual Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken) => Unexpected<(string, string)?>();

    public virtual Task<IReadOnlyList<string>> ListRolePolicyNamesAsync(string roleName, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<string>>();

    public virtual Task<IReadOnlyList<AttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken) => Unexpected<IReadOnlyList<AttachedPolicy>>();

    public virtual Task<string?> GetRolePolicyDocumentAsync(string roleName, string policyName, CancellationToken cancellationToken) => Unexpected<string?>();

    public virtual Task<string?> GetManagedPolicyDocumentAsync(string policyArn, CancellationToken cancellationToken) => Unexpected<string?>();

    public virtual Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) => Unexpected<string>();

    public virtual Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task PutRolePolicyAsync(string roleName, string policyName, string policyDocument, CancellationToken cancellationToken) => Unexpected<bool>();

    public virtual Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken) => Unexpected<bool>();

    private static Task<T> Unexpected<T>([System.Runtime.CompilerServices.CallerMemberName] string call = "") =>
        throw new Xunit.Sdk.XunitException($"Unexpected IAM call {call}");
}
