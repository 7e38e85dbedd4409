using System.Diagnostics;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Npgsql;

namespace Cruddur.Core.Database;

/// <summary>
/// The seed's update_cognito_user_ids: sets public.users.cognito_user_id to the Cognito user's sub where the user's
/// preferred_username is the row's handle, in one transaction.
/// </summary>
internal sealed class CognitoUserLink
{
    private readonly ICognitoClient _cognito;
    private readonly IOperationHost _host;

    public CognitoUserLink(ICognitoClient cognito, IOperationHost host)
    {
        _cognito = cognito;
        _host = host;
    }

    public async Task<DbSetupResult> LinkAsync(DbConnectionUrl url, string userPoolId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<CognitoUser> users;
        try
        {
            users = await _cognito.ListUsersAsync(userPoolId, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.NotFound)
        {
            throw new CruddurException(ErrorIds.DbUserPoolNotFound, ErrorKind.ObjectNotFound,
                $"The Cognito user pool '{userPoolId}' does not exist ({e.ServiceMessage}). The steps before the CognitoUserIds step have run. Set AWS_COGNITO_USER_POOL_ID to the pool's id ('aws cognito-idp list-user-pools --max-results 20' lists them).",
                e, userPoolId);
        }

        _host.WriteVerbose($"Cognito user pool {userPoolId} has {users.Count} user(s).");

        await using var connection = await DbSession.OpenAsync(url, cancellationToken).ConfigureAwait(false);
        var matched = 0;
        long rows = 0;
        var unmatched = new List<string>();
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var user in users)
            {
                var updated = 0;
                if (user.PreferredUsername is { } handle && user.Sub is { } sub)
                {
                    await using var command = new NpgsqlCommand("UPDATE public.users SET cognito_user_id = $1 WHERE handle = $2", connection, transaction);
                    command.Parameters.Add(new NpgsqlParameter { Value = sub });
                    command.Parameters.Add(new NpgsqlParameter { Value = handle });
                    updated = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (updated > 0)
                {
                    matched++;
                    rows += updated;
                }
                else
                {
                    unmatched.Add(user.PreferredUsername ?? user.Username);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw DbSession.Failed(url, "setting cognito_user_id in public.users", e);
        }

        if (unmatched.Count > 0)
        {
            _host.WriteVerbose($"No row in public.users has the handle of these Cognito users: {string.Join(", ", unmatched)}.");
        }

        return new DbSetupResult(DbSetupStep.CognitoUserIds, url, "Succeeded", Stopwatch.GetElapsedTime(started),
            $"{matched} Cognito user(s) matched a handle, {unmatched.Count} did not.")
        {
            RowsAffected = rows,
            Matched = matched,
            Unmatched = unmatched.Count,
        };
    }
}
