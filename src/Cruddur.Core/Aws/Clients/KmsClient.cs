using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A data key from KMS: the plaintext to use (wipe it after) and the same key as KMS encrypted it.</summary>
internal sealed record KmsDataKey(byte[] Plaintext, byte[] CiphertextBlob);

/// <summary>AWS KMS as the module uses it (the data key of an encrypted ECS Exec session).</summary>
internal interface IKmsClient
{
    /// <summary>A new data key of <paramref name="bytes"/> bytes under <paramref name="keyId"/>, bound to the encryption context.</summary>
    Task<KmsDataKey> GenerateDataKeyAsync(string keyId, int bytes, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken);
}

/// <summary><see cref="IKmsClient"/> over AWS JSON 1.1 (target prefix TrentService).</summary>
internal sealed class KmsClient : IKmsClient
{
    private readonly JsonProtocol _api;

    public KmsClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.Kms, host);

    // Idempotent in effect: a repeat only makes another key, and the caller uses the one it receives.
    public Task<KmsDataKey> GenerateDataKeyAsync(string keyId, int bytes, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        var encryptionContext = new JsonObject();
        foreach (var (name, value) in context)
        {
            encryptionContext[name] = value;
        }

        return _api.CallAsync("GenerateDataKey", new JsonObject { ["KeyId"] = keyId, ["NumberOfBytes"] = bytes, ["EncryptionContext"] = encryptionContext }, idempotent: true,
            r => new KmsDataKey(Convert.FromBase64String(Text(r, "Plaintext")), Convert.FromBase64String(Text(r, "CiphertextBlob"))), cancellationToken);
    }
}
