using System.Security.Cryptography;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

/// <summary>
/// KMS encryption of a session's stream payloads (session-manager-plugin src/encryption/encrypter.go): a 64-byte data key from
/// KMS GenerateDataKey with the session id and target as encryption context; the first half decrypts what the agent sends,
/// the second half encrypts what we send; AES-256-GCM with a random 12-byte nonce in front of each ciphertext.
/// </summary>
internal sealed class SessionEncryption : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly AesGcm _decrypt;
    private readonly AesGcm _encrypt;

    private SessionEncryption(byte[] plaintextKey, byte[] encryptedDataKey)
    {
        var half = plaintextKey.Length / 2;
        _decrypt = new AesGcm(plaintextKey.AsSpan(0, half), TagSize);
        _encrypt = new AesGcm(plaintextKey.AsSpan(half), TagSize);
        CryptographicOperations.ZeroMemory(plaintextKey);
        EncryptedDataKey = encryptedDataKey;
    }

    /// <summary>Makes the session's keys for a KMS key id and encryption context.</summary>
    public delegate Task<SessionEncryption> Factory(string keyId, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken);

    /// <summary>The data key as KMS encrypted it: what the agent receives to decrypt with KMS on its side.</summary>
    public byte[] EncryptedDataKey { get; }

    /// <summary>A factory that asks KMS for each session's data key.</summary>
    public static Factory WithKms(IKmsClient kms) => async (keyId, context, cancellationToken) =>
    {
        KmsDataKey key;
        try
        {
            key = await kms.GenerateDataKeyAsync(keyId, 64, context, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.IsRefusal)
        {
            throw new CruddurException(ErrorIds.ExecKmsKeyNotAccessible, ErrorKind.PermissionDenied,
                $"The cluster encrypts ECS Exec sessions with KMS key {keyId}, but GenerateDataKey failed ({e.ErrorCode}: {e.ServiceMessage}). Allow kms:GenerateDataKey on that key for your identity, or connect with credentials that have it.", e, keyId);
        }

        if (key.Plaintext.Length != 64 || key.CiphertextBlob.Length == 0)
        {
            throw new CruddurException(ErrorIds.ExecKmsKeyNotAccessible, ErrorKind.InvalidData, $"KMS GenerateDataKey for key {keyId} returned no usable 64-byte data key. Check the key is a symmetric encryption key.", target: keyId);
        }

        return new SessionEncryption(key.Plaintext, key.CiphertextBlob);
    };

    public byte[] Encrypt(ReadOnlySpan<byte> plain)
    {
        var result = new byte[NonceSize + plain.Length + TagSize];
        RandomNumberGenerator.Fill(result.AsSpan(0, NonceSize));
        _encrypt.Encrypt(result.AsSpan(0, NonceSize), plain, result.AsSpan(NonceSize, plain.Length), result.AsSpan(NonceSize + plain.Length));
        return result;
    }

    public byte[] Decrypt(ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw Undecryptable();
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            _decrypt.Decrypt(sealedBytes[..NonceSize], sealedBytes.Slice(NonceSize, plain.Length), sealedBytes[(NonceSize + plain.Length)..], plain);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw Undecryptable(e);
        }

        return plain;
    }

    public void Dispose()
    {
        _decrypt.Dispose();
        _encrypt.Dispose();
    }

    private static CruddurException Undecryptable(Exception? inner = null) =>
        new(ErrorIds.ExecMessageCorrupt, ErrorKind.InvalidData, "A KMS-encrypted message from the agent could not be decrypted, so the session was ended. Connect again.", inner);
}
