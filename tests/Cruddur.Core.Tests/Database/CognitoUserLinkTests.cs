using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Database;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Database;

/// <summary>The CognitoUserIds step when Cognito does not know the pool.</summary>
public sealed class CognitoUserLinkTests
{
    private sealed class NoSuchPool : ICognitoClient
    {
        public Task<IReadOnlyList<CognitoUser>> ListUsersAsync(string userPoolId, CancellationToken cancellationToken) =>
            throw new AwsServiceException("cognito-idp", "ListUsers", "ResourceNotFoundException", $"User pool {userPoolId} does not exist.", 400);
    }

    [Fact]
    public async Task A_pool_that_does_not_exist_is_DbUserPoolNotFound_saying_how_to_name_the_right_one_before_the_database_is_touched()
    {
        // Port 1 refuses connections: reaching the database would be a different error.
        var url = DbConnectionUrl.Parse("postgresql://u:p@127.0.0.1:1/cruddur");

        var e = await Assert.ThrowsAsync<CruddurException>(() => new CognitoUserLink(new NoSuchPool(), new RecordingHost()).LinkAsync(url, "us-east-1_cruddur", CancellationToken.None));

        Assert.Equal(ErrorIds.DbUserPoolNotFound, e.ErrorId);
        Assert.Contains("'us-east-1_cruddur' does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_COGNITO_USER_POOL_ID", e.Message, StringComparison.Ordinal);
    }
}
