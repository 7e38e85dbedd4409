using System.Security.Cryptography;
using System.Text;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

/// <summary>KMS-encrypted sessions: the halves of the data key, the agent's view of what we send, and KMS failures.</summary>
public sealed class SessionEncryptionTests
{
    private const string KeyId = "arn:aws:kms:us-east-1:123456789012:key/cruddur-exec";
    private static readonly Dictionary<string, string> Context = new() { ["aws:ssm:SessionId"] = "s-1", ["aws:ssm:TargetId"] = "ecs:cruddur_t_r" };

    private sealed class Kms(Func<KmsDataKey> key) : IKmsClient
    {
        public (string KeyId, int Bytes, IReadOnlyDictionary<string, string> Context)? Asked { get; private set; }

        public Task<KmsDataKey> GenerateDataKeyAsync(string keyId, int bytes, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
        {
            Asked = (keyId, bytes, context);
            return Task.FromResult(key());
        }
    }

    private static byte[] DataKey() => Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task WeEncryptWithTheSecondHalfAndDecryptWithTheFirstAsTheAgentExpects()
    {
        var kms = new Kms(() => new KmsDataKey(DataKey(), [9, 9, 9]));
        using var encryption = await SessionEncryption.WithKms(kms)(KeyId, Context, CancellationToken.None);

        Assert.Equal((KeyId, 64), (kms.Asked!.Value.KeyId, kms.Asked.Value.Bytes));
        Assert.Same(Context, kms.Asked.Value.Context);
        Assert.Equal([9, 9, 9], encryption.EncryptedDataKey);

        // The agent decrypts our input with the second half: nonce (12) | ciphertext | tag (16).
        var sealedInput = encryption.Encrypt(Encoding.UTF8.GetBytes("ls\r"));
        Assert.Equal(12 + 3 + 16, sealedInput.Length);
        using (var agentDecrypt = new AesGcm(DataKey().AsSpan(32), 16))
        {
            var plain = new byte[3];
            agentDecrypt.Decrypt(sealedInput[..12], sealedInput[12..15], sealedInput[15..], plain);
            Assert.Equal("ls\r", Encoding.UTF8.GetString(plain));
        }

        // The agent encrypts its output with the first half.
        var nonce = RandomNumberGenerator.GetBytes(12);
        var output = Encoding.UTF8.GetBytes("total 0\r\n");
        var sealedOutput = new byte[12 + output.Length + 16];
        nonce.CopyTo(sealedOutput, 0);
        using (var agentEncrypt = new AesGcm(DataKey().AsSpan(0, 32), 16))
        {
            agentEncrypt.Encrypt(nonce, output, sealedOutput.AsSpan(12, output.Length), sealedOutput.AsSpan(12 + output.Length));
        }

        Assert.Equal("total 0\r\n", Encoding.UTF8.GetString(encryption.Decrypt(sealedOutput)));

        // An empty message seals to nonce and tag only and opens again.
        Assert.Empty(encryption.Decrypt(Seal(DataKey().AsSpan(0, 32), [])));
    }

    [Fact]
    public async Task TheKeysDoNotOutliveTheSession()
    {
        var key = new KmsDataKey(DataKey(), [1]);
        var encryption = await SessionEncryption.WithKms(new Kms(() => key))(KeyId, Context, CancellationToken.None);
        var sealedOutput = Seal(DataKey().AsSpan(0, 32), "out"u8);

        // The plaintext data key is wiped as soon as the ciphers hold it.
        Assert.All(key.Plaintext, b => Assert.Equal(0, b));
        Assert.Equal("out", Encoding.UTF8.GetString(encryption.Decrypt(sealedOutput)));

        encryption.Dispose();

        Assert.Throws<ObjectDisposedException>(() => encryption.Encrypt("in"u8));
        Assert.Throws<ObjectDisposedException>(() => encryption.Decrypt(sealedOutput));
    }

    [Fact]
    public async Task TheNoncesDifferSoEqualInputsLookDifferent()
    {
        using var encryption = await SessionEncryption.WithKms(new Kms(() => new KmsDataKey(DataKey(), [1])))(KeyId, Context, CancellationToken.None);

        Assert.NotEqual(encryption.Encrypt("a"u8)[..12], encryption.Encrypt("a"u8)[..12]);
    }

    [Fact]
    public async Task ATamperedOrTruncatedMessageEndsTheSessionAsCorrupt()
    {
        using var encryption = await SessionEncryption.WithKms(new Kms(() => new KmsDataKey(DataKey(), [1])))(KeyId, Context, CancellationToken.None);
        var good = Seal(DataKey().AsSpan(0, 32), "secret output"u8);

        var tampered = good.ToArray();
        tampered[14] ^= 1;
        var e = Assert.Throws<CruddurException>(() => encryption.Decrypt(tampered));
        Assert.Equal(ErrorIds.ExecMessageCorrupt, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.IsType<AuthenticationTagMismatchException>(e.InnerException);
        Assert.Contains("could not be decrypted", e.Message, StringComparison.Ordinal);
        Assert.Contains("Connect again", e.Message, StringComparison.Ordinal);

        Assert.Equal(ErrorIds.ExecMessageCorrupt, Assert.Throws<CruddurException>(() => encryption.Decrypt(new byte[27])).ErrorId);
        Assert.Equal(ErrorIds.ExecMessageCorrupt, Assert.Throws<CruddurException>(() => encryption.Decrypt(good.AsSpan(0, 20))).ErrorId);

        // What we encrypt is not readable with our own decrypting half: the halves are not swapped.
        Assert.Throws<CruddurException>(() => encryption.Decrypt(encryption.Encrypt("x"u8)));
    }

    [Fact]
    public async Task KmsRefusingTheKeySaysWhichKeyAndWhatToAllow()
    {
        var kms = new Kms(() => throw new AwsServiceException("KMS", "GenerateDataKey", "AccessDeniedException", "not authorized to kms:GenerateDataKey", 400));

        var e = await Assert.ThrowsAsync<CruddurException>(() => SessionEncryption.WithKms(kms)(KeyId, Context, CancellationToken.None));

        Assert.Equal(ErrorIds.ExecKmsKeyNotAccessible, e.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains(KeyId, e.Message, StringComparison.Ordinal);
        Assert.Contains("AccessDeniedException", e.Message, StringComparison.Ordinal);
        Assert.Contains("kms:GenerateDataKey", e.Message, StringComparison.Ordinal);
        Assert.Equal(KeyId, e.Target);
    }

    [Fact]
    public async Task AKmsOutageIsNotReportedAsAPermissionProblem()
    {
        var kms = new Kms(() => throw new AwsServiceException("KMS", "GenerateDataKey", "KMSInternalException", "down", 500));

        Assert.Equal("KMSInternalException", (await Assert.ThrowsAsync<AwsServiceException>(() => SessionEncryption.WithKms(kms)(KeyId, Context, CancellationToken.None))).ErrorCode);
    }

    [Theory]
    [InlineData(32, 1)]
    [InlineData(64, 0)]
    public async Task AnUnusableDataKeyIsRefused(int plaintextBytes, int blobBytes)
    {
        var kms = new Kms(() => new KmsDataKey(new byte[plaintextBytes], new byte[blobBytes]));

        var e = await Assert.ThrowsAsync<CruddurException>(() => SessionEncryption.WithKms(kms)(KeyId, Context, CancellationToken.None));

        Assert.Equal(ErrorIds.ExecKmsKeyNotAccessible, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains(KeyId, e.Message, StringComparison.Ordinal);
        Assert.Contains("symmetric", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plain)
    {
        var result = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(result.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(result.AsSpan(0, 12), plain, result.AsSpan(12, plain.Length), result.AsSpan(12 + plain.Length));
        return result;
    }
}
