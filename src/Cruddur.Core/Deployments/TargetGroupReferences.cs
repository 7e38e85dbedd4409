using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Target groups named in a service file: a <c>loadBalancers</c> entry may say <c>"targetGroupName": "cruddur-backend-flask-tg"</c>
/// instead of the seed's <c>targetGroupArn</c> (whose id part differs in every account). The name is looked up in
/// ELBv2 when the service is created and replaced by the group's ARN; an entry with a <c>targetGroupArn</c> passes as it is.
/// The entry's blue/green resources are named the same way (<see cref="BlueGreenReferences"/>).
/// </summary>
internal static class TargetGroupReferences
{
    public const string NameField = "targetGroupName";

    /// <summary>
    /// Replaces every <see cref="NameField"/> by the group's targetGroupArn and the names in advancedConfiguration by
    /// their ARNs; a clear error for a name ELBv2 or IAM does not know.
    /// </summary>
    public static async Task ResolveAsync(JsonObject serviceDefinition, IElbv2Client? elb, IIamClient? iam, string source, CancellationToken cancellationToken)
    {
        foreach (var entry in (serviceDefinition["loadBalancers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var nameNode = entry[NameField];
            if (nameNode is not null)
            {
                var name = AwsJson.TextOrNull(nameNode);
                if (string.IsNullOrWhiteSpace(name) || entry["targetGroupArn"] is not null)
                {
                    throw new CruddurException(ErrorIds.DeployTargetGroupReferenceInvalid, ErrorKind.InvalidData,
                        $"{source}: a loadBalancers entry needs either \"targetGroupArn\" or a non-empty \"{NameField}\", not both. Nothing was registered.", target: source);
                }

                var group = await Elb(elb).FindTargetGroupAsync(name, cancellationToken).ConfigureAwait(false)
                    ?? throw new CruddurException(ErrorIds.DeployTargetGroupNotFound, ErrorKind.ObjectNotFound,
                        $"{source} names the target group '{name}', which does not exist in this account and region. Create it with Initialize-CruddurInfrastructure -Domain <your domain> (or fix the name). Nothing was registered.",
                        target: name);
                entry.Remove(NameField);
                entry["targetGroupArn"] = group.Arn;
            }

            if (entry[BlueGreenReferences.Section] is JsonObject)
            {
                await BlueGreenReferences.ResolveAsync(entry, Elb(elb), iam, source, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static IElbv2Client Elb(IElbv2Client? elb) => elb ?? throw new InvalidOperationException("No ELBv2 client to resolve names in service files.");

    /// <summary>The target group ARNs of a service (as DescribeServices or a service file lists them).</summary>
    public static IReadOnlyList<string> ArnsOf(JsonArray? loadBalancers) =>
        (loadBalancers ?? []).Select(l => (string?)l?["targetGroupArn"]).OfType<string>().Distinct().ToList();
}
