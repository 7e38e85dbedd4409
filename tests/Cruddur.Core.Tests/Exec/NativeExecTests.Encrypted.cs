using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// KMS-encrypted sessions against the simulator's agent, which decrypts our input and encrypts its output with AES-GCM after
/// a KMS Decrypt of the data key we send; KMS is a scripted endpoint that hands out (and gives back) one known data key.
/// </summary>
public sealed partial class NativeExecTests
{
    private const string KmsKey = "arn:aws:kms:us-east-1:123456789012:key/cruddur-exec";

    /// <summary>Points the cluster's exec configuration at <see cref="KmsKey"/> and the agent's KMS calls at a scripted KMS.</summary>
    private async Task<ScriptedEndpoint> EncryptSessionsAsync(byte[] dataKey, byte[] blob)
    {
        var kms = await ScriptedEndpoint.StartAsync((context, _, _) => ScriptedEndpoint.Write(context, 200, new JsonObject
        {
            ["KeyId"] = KmsKey,
            ["Plaintext"] = Convert.ToBase64String(dataKey),
            ["CiphertextBlob"] = Convert.ToBase64String(blob),
        }.ToJsonString()));
        (await _http.PostAsJsonAsync(_url + "/_sim/kms", new { endpoint = kms.Url })).EnsureSuccessStatusCode();
        await EcsAsync("CreateCluster", new JsonObject
        {
            ["clusterName"] = "cruddur",
            ["configuration"] = new JsonObject { ["executeCommandConfiguration"] = new JsonObject { ["kmsKeyId"] = KmsKey } },
        });
        return kms;
    }

    [Fact]
    public async Task KeysTypedIntoAKmsEncryptedSessionReachTheCommandAndItsOutputComesBack()
    {
        var blob = RandomNumberGenerator.GetBytes(48);
        await using var kms = await EncryptSessionsAsync(RandomNumberGenerator.GetBytes(64), blob);
        var host = new RecordingHost();
        var session = await new EcsExec(new EcsClient(Context, host), new IamClient(Context, host), host).StartSessionAsync(_target, "read line; echo got:$line", CancellationToken.None);
        var output = new StringBuilder();
        var encryption = SessionEncryption.WithKms(new KmsClient(new AwsContext(new AwsSettings("us-east-1", EndpointUrl: kms.Url)), host));
        await using var channel = new DataChannel(session.StreamUrl, session.SessionId, session.Target, bytes =>
        {
            lock (output)
            {
                output.Append(Encoding.UTF8.GetString(bytes.Span));
            }

            return Task.CompletedTask;
        }, host, new DataChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) }, encryption);
        await channel.OpenAsync(session.Token, CancellationToken.None);
        Assert.True(channel.Encrypted);

        await channel.SendInputAsync("hello\r"u8.ToArray(), CancellationToken.None);

        var end = await channel.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(end.Closed);
        Assert.Contains("got:hello", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("encrypted using AWS KMS", host.AllText, StringComparison.Ordinal);
        // The data key came from the cluster's key, bound to this session and target; the agent got its encrypted form.
        var generate = JsonNode.Parse(kms.Requests.Single(r => r.Operation == "GenerateDataKey").Body)!;
        Assert.Equal(KmsKey, (string?)generate["KeyId"]);
        Assert.Equal(session.SessionId, (string?)generate["EncryptionContext"]?["aws:ssm:SessionId"]);
        Assert.Equal(session.Target, (string?)generate["EncryptionContext"]?["aws:ssm:TargetId"]);
        Assert.Equal(Convert.ToBase64String(blob), (string?)JsonNode.Parse(kms.Requests.Single(r => r.Operation == "Decrypt").Body)!["CiphertextBlob"]);
    }

    [Fact]
    public async Task AnEncryptedSessionWithoutAKmsClientIsAClearErrorBeforeAnythingRuns()
    {
        await using var kms = await EncryptSessionsAsync(RandomNumberGenerator.GetBytes(64), [1, 2, 3]);
        var host = new RecordingHost();
        var session = await new EcsExec(new EcsClient(Context, host), new IamClient(Context, host), host).StartSessionAsync(_target, "echo never", CancellationToken.None);
        await using var channel = new DataChannel(session.StreamUrl, session.SessionId, session.Target, _ => Task.CompletedTask, host, new DataChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) });

        var e = await Assert.ThrowsAsync<CruddurException>(() => channel.OpenAsync(session.Token, CancellationToken.None));

        Assert.Equal(ErrorIds.ExecKmsUnavailable, e.ErrorId);
        Assert.Contains("KMS", e.Message, StringComparison.Ordinal);
        Assert.Empty(kms.Requests);
        Assert.Null((int?)(await ChannelsAsync())[0]!["processId"]); // the command never ran
    }
}
