using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A user of a Cognito user pool: username and the attributes the module reads.</summary>
internal sealed record CognitoUser(string Username, string? PreferredUsername, string? Sub);

/// <summary>Amazon Cognito user pools as the module uses them.</summary>
internal interface ICognitoClient
{
    /// <summary>Every user of the pool.</summary>
    Task<IReadOnlyList<CognitoUser>> ListUsersAsync(string userPoolId, CancellationToken cancellationToken);
}

/// <summary><see cref="ICognitoClient"/> over AWS JSON 1.1.</summary>
internal sealed class CognitoClient : ICognitoClient
{
    private readonly JsonProtocol _api;

    public CognitoClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.CognitoIdp, host);

    public async Task<IReadOnlyList<CognitoUser>> ListUsersAsync(string userPoolId, CancellationToken cancellationToken) =>
        await AwsPaginator.AllAsync(token =>
        {
            var request = new JsonObject { ["UserPoolId"] = userPoolId, ["Limit"] = 60 };
            if (token is not null)
            {
                request["PaginationToken"] = token;
            }

            return _api.CallAsync("ListUsers", request, idempotent: true, r => new AwsPage<CognitoUser>(
                Objects(r, "Users").Select(Read).ToList(), OptionalText(r, "PaginationToken")), cancellationToken);
        }, "Cognito ListUsers").ConfigureAwait(false);

    private static CognitoUser Read(JsonObject user)
    {
        var attributes = Objects(user, "Attributes").GroupBy(a => Text(a, "Name"), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => OptionalText(g.First(), "Value"), StringComparer.Ordinal);
        return new CognitoUser(OptionalText(user, "Username") ?? string.Empty, attributes.GetValueOrDefault("preferred_username"), attributes.GetValueOrDefault("sub"));
    }
}
