using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

public sealed class ChannelMessageTests
{
    private static readonly Guid Id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");

    [Fact]
    public void EncodesTheSessionManagerLayout()
    {
        var payload = Encoding.UTF8.GetBytes("hello");
        var bytes = new ChannelMessage("input_stream_data", 7, PayloadType.Size, payload, Id, Flags: 3, CreatedDate: 1_700_000_000_123).Encode();

        Assert.Equal(120 + payload.Length, bytes.Length);
        Assert.Equal(116u, BinaryPrimitives.ReadUInt32BigEndian(bytes));
        Assert.Equal("input_stream_data" + new string(' ', 32 - 17), Encoding.UTF8.GetString(bytes, 4, 32));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(36)));
        Assert.Equal(1_700_000_000_123ul, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(40)));
        Assert.Equal(7, BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(48)));
        Assert.Equal(3ul, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(56)));
        // The UUID's low half comes first, then its high half.
        Assert.Equal(Convert.FromHexString("8899aabbccddeeff00112233445566 77".Replace(" ", "")), bytes[64..80]);
        Assert.Equal(SHA256.HashData(payload), bytes[80..112]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(112)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(116)));
        Assert.Equal(payload, bytes[120..]);
    }

    [Fact]
    public void RoundTrips()
    {
        var payload = RandomNumberGenerator.GetBytes(3000);
        var original = new ChannelMessage("output_stream_data", long.MaxValue - 1, PayloadType.Output, payload, Guid.NewGuid(), Flags: 1, CreatedDate: 42);

        var decoded = ChannelMessage.Decode(original.Encode());

        Assert.Equal(original.MessageType, decoded.MessageType);
        Assert.Equal(original.SequenceNumber, decoded.SequenceNumber);
        Assert.Equal(original.PayloadType, decoded.PayloadType);
        Assert.Equal(original.MessageId, decoded.MessageId);
        Assert.Equal(original.Flags, decoded.Flags);
        Assert.Equal(42ul, decoded.CreatedDate);
        Assert.Equal(payload, decoded.Payload.ToArray());
    }

    [Fact]
    public void AnEmptyPayloadRoundTrips()
    {
        var decoded = ChannelMessage.Decode(new ChannelMessage("acknowledge", 0, PayloadType.None, Array.Empty<byte>(), Id).Encode());
        Assert.Equal("acknowledge", decoded.MessageType);
        Assert.True(decoded.Payload.IsEmpty);
    }

    [Fact]
    public void AnEmptyPayloadIsNotCheckedAgainstItsDigest()
    {
        // As the plugin's Validate: only a payload is hashed; a sender may leave the digest of nothing unset.
        var bytes = new ChannelMessage("output_stream_data", 3, PayloadType.Output, Array.Empty<byte>(), Id).Encode();
        bytes.AsSpan(80, 32).Clear();

        var decoded = ChannelMessage.Decode(bytes);

        Assert.Equal(3, decoded.SequenceNumber);
        Assert.True(decoded.Payload.IsEmpty);
    }

    [Fact]
    public void APayloadThatDoesNotMatchItsDigestIsRefused()
    {
        var bytes = new ChannelMessage("output_stream_data", 2, PayloadType.Output, Encoding.UTF8.GetBytes("ls -l\r\n"), Id).Encode();
        bytes[^1] ^= 0x01;

        var e = Assert.Throws<CruddurException>(() => ChannelMessage.Decode(bytes));

        Assert.Equal("ExecMessageCorrupt", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(119)]
    public void AShortFrameIsRefused(int length)
    {
        var e = Assert.Throws<CruddurException>(() => ChannelMessage.Decode(new byte[length]));
        Assert.Equal("ExecMessageCorrupt", e.ErrorId);
    }

    [Fact]
    public void APayloadLengthThatDisagreesWithTheFrameIsRefused()
    {
        var bytes = new ChannelMessage("output_stream_data", 0, PayloadType.Output, new byte[10], Id).Encode();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(116), 11);
        Assert.Equal("ExecMessageCorrupt", Assert.Throws<CruddurException>(() => ChannelMessage.Decode(bytes)).ErrorId);
    }

    [Theory]
    [InlineData("wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s", true)]
    [InlineData("ws://127.0.0.1:5077/v1/data-channel/s", true)]
    [InlineData("ws://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s", false)]
    [InlineData("ws://ssmmessages.cn-north-1.amazonaws.com.cn/v1/data-channel/s", false)]
    [InlineData("https://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s", false)]
    public void PlainWebsocketsOnlyOutsideAws(string url, bool accepted)
    {
        var check = () => DataChannel.CheckScheme(new Uri(url));
        if (accepted)
        {
            check();
        }
        else
        {
            Assert.Equal("ExecChannelInsecure", Assert.Throws<CruddurException>(check).ErrorId);
        }
    }

    [Theory]
    [InlineData(115u)]
    [InlineData(117u)]
    [InlineData(0xFFFFFFF0u)]
    public void AHeaderLengthThatDoesNotFitTheFrameIsRefused(uint headerLength)
    {
        var bytes = new ChannelMessage("output_stream_data", 0, PayloadType.Output, Array.Empty<byte>(), Id).Encode();
        BinaryPrimitives.WriteUInt32BigEndian(bytes, headerLength);

        var e = Assert.Throws<CruddurException>(() => ChannelMessage.Decode(bytes));

        Assert.Equal("ExecMessageCorrupt", e.ErrorId);
        Assert.Contains($"header length {headerLength}", e.Message, StringComparison.Ordinal);
        Assert.Contains("Session Manager format", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALongerHeaderFromANewerAgentIsSkippedToThePayload()
    {
        // A header 4 bytes longer than ours: the payload length follows it, and the payload follows that.
        var message = new ChannelMessage("output_stream_data", 5, PayloadType.Output, Encoding.UTF8.GetBytes("ok"), Id).Encode();
        var longer = new byte[message.Length + 4];
        message.AsSpan(0, 116).CopyTo(longer);
        BinaryPrimitives.WriteUInt32BigEndian(longer, 120);
        message.AsSpan(116).CopyTo(longer.AsSpan(120));

        var decoded = ChannelMessage.Decode(longer);

        Assert.Equal("ok", Encoding.UTF8.GetString(decoded.Payload.Span));
        Assert.Equal(5, decoded.SequenceNumber);
    }

    [Fact]
    public void AShortFrameSaysHowShortItIs()
    {
        var e = Assert.Throws<CruddurException>(() => ChannelMessage.Decode(new byte[119]));
        Assert.Contains("119-byte frame", e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
    }

    [Fact]
    public void APayloadLengthMismatchNamesBothLengths()
    {
        var bytes = new ChannelMessage("output_stream_data", 0, PayloadType.Output, new byte[10], Id).Encode();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(116), 9);
        var e = Assert.Throws<CruddurException>(() => ChannelMessage.Decode(bytes));
        Assert.Contains("payload length 9", e.Message, StringComparison.Ordinal);
        Assert.Contains("10 bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("start_publication")]
    [InlineData("pause_publication")]
    public void PublicationMessagesAreNotDigestChecked(string type)
    {
        var bytes = new ChannelMessage(type, 0, PayloadType.None, new byte[] { 1, 2 }, Id).Encode();
        bytes[80] ^= 0xFF;

        Assert.Equal(type, ChannelMessage.Decode(bytes).MessageType);
    }

    [Fact]
    public void ACorruptMessageNamesItsType()
    {
        var bytes = new ChannelMessage("acknowledge", 0, PayloadType.None, new byte[] { 1 }, Id).Encode();
        bytes[80] ^= 0xFF;
        Assert.Contains("'acknowledge'", Assert.Throws<CruddurException>(() => ChannelMessage.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMessageWithoutACreationDateIsStampedNow()
    {
        var before = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var decoded = ChannelMessage.Decode(new ChannelMessage("acknowledge", 0, PayloadType.None, Array.Empty<byte>(), Id).Encode());
        Assert.InRange(decoded.CreatedDate, before, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(1u, decoded.SchemaVersion);
    }

    [Fact]
    public void AMessageTypeLongerThanItsFieldIsRefused()
    {
        Assert.NotNull(new ChannelMessage(new string('x', 32), 0, PayloadType.None, Array.Empty<byte>(), Id).Encode());
        var e = Assert.Throws<ArgumentException>(() => new ChannelMessage(new string('x', 33), 0, PayloadType.None, Array.Empty<byte>(), Id).Encode());
        Assert.Contains("32 bytes", e.Message, StringComparison.Ordinal);
    }
}
