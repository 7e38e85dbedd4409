using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

/// <summary>Reads a role as the prerequisite checks need it: whether it exists, its trust policy, and every inline and attached policy.</summary>
internal static class RoleReader
{
    /// <summary>The role's facts; an IAM refusal (AccessDenied, say) is kept in <see cref="TaskRoleFacts.Error"/> rather than thrown.</summary>
    public static async Task<TaskRoleFacts> ReadAsync(IIamClient iam, IOperationHost host, string roleArn, CancellationToken cancellationToken)
    {
        var name = TaskRoleFacts.NameFromArn(roleArn);
        try
        {
            if (await iam.GetRoleTrustAsync(name, cancellationToken).ConfigureAwait(false) is not { } role)
            {
                return new TaskRoleFacts(roleArn, false, []);
            }

            var policies = new List<RolePolicy>();
            foreach (var policy in await iam.ListRolePolicyNamesAsync(name, cancellationToken).ConfigureAwait(false))
            {
                if (await iam.GetRolePolicyDocumentAsync(name, policy, cancellationToken).ConfigureAwait(false) is { } document)
                {
                    policies.Add(new RolePolicy(policy, document));
                }
            }

            foreach (var (policyName, arn) in await iam.ListAttachedRolePoliciesAsync(name, cancellationToken).ConfigureAwait(false))
            {
                if (await iam.GetManagedPolicyDocumentAsync(arn, cancellationToken).ConfigureAwait(false) is { } document)
                {
                    policies.Add(new RolePolicy(policyName, document));
                }
                else
                {
                    host.WriteVerbose($"Managed policy {arn} attached to {name} could not be read; it is left out of the check.");
                }
            }

            return new TaskRoleFacts(roleArn, true, policies) { TrustPolicy = role.TrustPolicy };
        }
        catch (AwsServiceException e) when (e.IsRefusal)
        {
            return new TaskRoleFacts(roleArn, true, [], $"{e.ErrorCode}: {e.ServiceMessage}");
        }
    }
}
