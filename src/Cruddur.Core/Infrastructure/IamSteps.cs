using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Infrastructure;

/// <summary>An IAM role with its trust policy; a differing trust policy is replaced.</summary>
internal sealed class IamRoleStep : InfrastructureStep
{
    private readonly IIamClient _iam;
    private readonly PolicyDocument _trust;

    public IamRoleStep(IIamClient iam, string roleName, PolicyDocument trust)
        : base("IamRole", roleName)
    {
        _iam = iam;
        _trust = trust;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken) =>
        await _iam.GetRoleTrustAsync(Name, cancellationToken).ConfigureAwait(false) is { } role
            ? new ObservedResource(role.Arn, _trust.SameAs(role.TrustPolicy) ? null : "trust policy differs from " + _trust.Source)
            : null;

    public override Task<string> CreateAsync(CancellationToken cancellationToken) => _iam.CreateRoleAsync(Name, _trust.Json, cancellationToken);

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _iam.UpdateAssumeRolePolicyAsync(Name, _trust.Json, cancellationToken);
}

/// <summary>
/// An inline policy of a role (put-role-policy). The seed also runs attach-role-policy with a customer-managed ARN for
/// CruddurServiceExecutionPolicy, which does not exist: the inline policy is what it meant, so only that is done.
/// </summary>
internal sealed class IamRolePolicyStep : InfrastructureStep
{
    private readonly IIamClient _iam;
    private readonly string _roleName;
    private readonly string _policyName;
    private readonly PolicyDocument _document;

    public IamRolePolicyStep(IIamClient iam, string roleName, string policyName, PolicyDocument document)
        : base("IamRolePolicy", roleName + "/" + policyName)
    {
        _iam = iam;
        _roleName = roleName;
        _policyName = policyName;
        _document = document;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        var current = await _iam.GetRolePolicyDocumentAsync(_roleName, _policyName, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return null; // no such policy, or (under -WhatIf) no such role yet
        }

        return new ObservedResource(_policyName, _document.SameAs(current) ? null : "policy differs from " + _document.Source, _document.Source);
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        await _iam.PutRolePolicyAsync(_roleName, _policyName, _document.Json, cancellationToken).ConfigureAwait(false);
        return _policyName;
    }

    internal override Task UpdateAsync(ObservedResource found, CancellationToken cancellationToken) =>
        _iam.PutRolePolicyAsync(_roleName, _policyName, _document.Json, cancellationToken);
}

/// <summary>An AWS-managed policy attached to a role (CloudWatchFullAccess, AWSXRayDaemonWriteAccess on the task role).</summary>
internal sealed class IamPolicyAttachmentStep : InfrastructureStep
{
    private readonly IIamClient _iam;
    private readonly string _roleName;
    private readonly string _policyArn;

    public IamPolicyAttachmentStep(IIamClient iam, string roleName, string policyArn)
        : base("IamPolicyAttachment", roleName + "/" + AwsArn.LastSegment(policyArn))
    {
        _iam = iam;
        _roleName = roleName;
        _policyArn = policyArn;
    }

    internal override async Task<ObservedResource?> FindAsync(CancellationToken cancellationToken)
    {
        try
        {
            var attached = await _iam.ListAttachedRolePoliciesAsync(_roleName, cancellationToken).ConfigureAwait(false);
            return attached.Any(p => p.Arn == _policyArn) ? new ObservedResource(_policyArn) : null;
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.NotFound)
        {
            return null; // the role does not exist yet (-WhatIf)
        }
    }

    public override async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        await _iam.AttachRolePolicyAsync(_roleName, _policyArn, cancellationToken).ConfigureAwait(false);
        return _policyArn;
    }
}
