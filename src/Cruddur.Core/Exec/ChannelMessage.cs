using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

/// <summary>The message types of the Session Manager data channel (session-manager-plugin src/message/clientmessage.go).</summary>
internal static class ChannelMessageType
{
    public const string Input = "input_stream_data";
    public const string Output = "output_stream_data";
    public const string Acknowledge = "acknowledge";
    public const string ChannelClosed = "channel_closed";
    public const string StartPublication = "start_publication";
    public const string PausePublication = "pause_publication";
}

/// <summary>What a stream message's payload holds (the PayloadType numbers of src/message/clientmessage.go).</summary>
internal enum PayloadType : uint
{
    None = 0,
    Output = 1,
    Error = 2,
    Size = 3,
    Parameter = 4,
    HandshakeRequest = 5,
    HandshakeResponse = 6,
    HandshakeComplete = 7,
    EncryptionChallengeRequest = 8,
    EncryptionChallengeResponse = 9,
    Flag = 10,
    StdErr = 11,
    ExitCode = 12,
}

/// <summary>
/// One binary message of the data channel. The layout (src/message/clientmessage.go and messageparser.go of
/// session-manager-plugin; agent/session/contracts/agentmessage.go of amazon-ssm-agent), all integers big-endian:
/// header length (4, the value 116) | message type (32, UTF-8 padded with spaces) | schema version (4) | created date (8, epoch
/// ms) | sequence number (8) | flags (8) | message id (16: the UUID's low 8 bytes, then its high 8) | SHA-256 of the payload
/// (32) | payload type (4) | payload length (4) | payload.
/// </summary>
internal sealed record ChannelMessage(
    string MessageType,
    long SequenceNumber,
    PayloadType PayloadType,
    ReadOnlyMemory<byte> Payload,
    Guid MessageId,
    ulong Flags = 0,
    uint SchemaVersion = 1,
    ulong CreatedDate = 0)
{
    /// <summary>The header length field: the offset of the payload-length field, as both sides write it.</summary>
    public const int HeaderLength = 116;

    /// <summary>Where the payload starts: the header plus the 4-byte payload-length field.</summary>
    public const int PayloadOffset = HeaderLength + 4;

    private const int TypeOffset = 4;
    private const int TypeLength = 32;
    private const int SchemaOffset = 36;
    private const int CreatedOffset = 40;
    private const int SequenceOffset = 48;
    private const int FlagsOffset = 56;
    private const int IdOffset = 64;
    private const int DigestOffset = 80;
    private const int PayloadTypeOffset = 112;

    public byte[] Encode()
    {
        var type = Encoding.UTF8.GetBytes(MessageType);
        if (type.Length > TypeLength)
        {
            throw new ArgumentException($"Message type '{MessageType}' is longer than {TypeLength} bytes.", nameof(MessageType));
        }

        var bytes = new byte[PayloadOffset + Payload.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, HeaderLength);
        span.Slice(TypeOffset, TypeLength).Fill((byte)' ');
        type.CopyTo(span[TypeOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[SchemaOffset..], SchemaVersion);
        BinaryPrimitives.WriteUInt64BigEndian(span[CreatedOffset..], CreatedDate != 0 ? CreatedDate : (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(span[SequenceOffset..], SequenceNumber);
        BinaryPrimitives.WriteUInt64BigEndian(span[FlagsOffset..], Flags);
        WriteId(span.Slice(IdOffset, 16), MessageId);
        SHA256.HashData(Payload.Span, span.Slice(DigestOffset, 32));
        BinaryPrimitives.WriteUInt32BigEndian(span[PayloadTypeOffset..], (uint)PayloadType);
        BinaryPrimitives.WriteUInt32BigEndian(span[HeaderLength..], (uint)Payload.Length);
        Payload.Span.CopyTo(span[PayloadOffset..]);
        return bytes;
    }

    /// <summary>Reads one message; a short frame, a bad length or a payload whose digest does not match is an error.</summary>
    public static ChannelMessage Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < PayloadOffset)
        {
            throw Corrupt($"a {bytes.Length}-byte frame is shorter than the {PayloadOffset}-byte header");
        }

        var headerLength = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (headerLength < PayloadTypeOffset + 4 || headerLength + 4 > bytes.Length)
        {
            throw Corrupt($"header length {headerLength} does not fit a {bytes.Length}-byte frame");
        }

        // The payload starts after the header length's worth of bytes and the payload-length field (messageparser.go).
        var payloadLength = BinaryPrimitives.ReadUInt32BigEndian(bytes[(int)headerLength..]);
        var payload = bytes[((int)headerLength + 4)..];
        if (payloadLength != payload.Length)
        {
            throw Corrupt($"payload length {payloadLength} does not match the {payload.Length} bytes received");
        }

        var type = Encoding.UTF8.GetString(bytes.Slice(TypeOffset, TypeLength)).Trim('\0', ' ');
        // Publication messages carry no digest worth checking (the plugin's Validate skips them too).
        if (payload.Length > 0 && type is not (ChannelMessageType.StartPublication or ChannelMessageType.PausePublication))
        {
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(payload, digest);
            if (!digest.SequenceEqual(bytes.Slice(DigestOffset, 32)))
            {
                throw new CruddurException(ErrorIds.ExecMessageCorrupt, ErrorKind.InvalidData,
                    $"A '{type}' message from the data channel failed its SHA-256 payload check, so the session was ended rather than show damaged output. Connect again; if it recurs, the network path alters traffic.");
            }
        }

        return new ChannelMessage(
            type,
            BinaryPrimitives.ReadInt64BigEndian(bytes[SequenceOffset..]),
            (PayloadType)BinaryPrimitives.ReadUInt32BigEndian(bytes[PayloadTypeOffset..]),
            payload.ToArray(),
            ReadId(bytes.Slice(IdOffset, 16)),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[FlagsOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[SchemaOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[CreatedOffset..]));
    }

    /// <summary>The UUID as its canonical 16 bytes, the low half first (putUuid in messageparser.go).</summary>
    private static void WriteId(Span<byte> target, Guid id)
    {
        Span<byte> canonical = stackalloc byte[16];
        id.TryWriteBytes(canonical, bigEndian: true, out _);
        canonical[8..].CopyTo(target);
        canonical[..8].CopyTo(target[8..]);
    }

    private static Guid ReadId(ReadOnlySpan<byte> source)
    {
        Span<byte> canonical = stackalloc byte[16];
        source[8..].CopyTo(canonical);
        source[..8].CopyTo(canonical[8..]);
        return new Guid(canonical, bigEndian: true);
    }

    private static CruddurException Corrupt(string what) =>
        new(ErrorIds.ExecMessageCorrupt, ErrorKind.InvalidData,
            $"The data channel sent a message that is not in the Session Manager format ({what}), so the session was ended. Connect again; if it recurs, the stream URL does not lead to Session Manager.");
}
