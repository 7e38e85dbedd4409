using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cruddur.EcsSimulator;

/// <summary>
/// The agent's view of one data channel message, written independently of the module's client so a shared mistake cannot
/// hide: 4-byte header length (116), 32-byte space-padded type, schema version, created ms, sequence number, flags, message
/// id (UUID low half then high half), SHA-256 of the payload, payload type, payload length, payload — big-endian throughout
/// (amazon-ssm-agent agent/session/contracts/agentmessage.go).
/// </summary>
public sealed record AgentMessage(string Type, long Sequence, uint PayloadType, byte[] Payload, Guid Id, ulong Flags = 0)
{
    public const string Input = "input_stream_data";
    public const string Output = "output_stream_data";
    public const string Ack = "acknowledge";
    public const string ChannelClosed = "channel_closed";
    public const string PausePublication = "pause_publication";
    public const string StartPublication = "start_publication";

    public const uint OutputPayload = 1;
    public const uint SizePayload = 3;
    public const uint HandshakeRequest = 5;
    public const uint HandshakeResponse = 6;
    public const uint HandshakeComplete = 7;
    public const uint EncChallengeRequest = 8;
    public const uint EncChallengeResponse = 9;
    public const uint FlagPayload = 10;

    public byte[] ToBytes()
    {
        var b = new byte[120 + Payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, 116);
        var type = Encoding.UTF8.GetBytes(Type.PadRight(32));
        Buffer.BlockCopy(type, 0, b, 4, 32);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(36), 1);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(40), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(48), Sequence);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(56), Flags);
        var id = Id.ToByteArray(bigEndian: true);
        Buffer.BlockCopy(id, 8, b, 64, 8);
        Buffer.BlockCopy(id, 0, b, 72, 8);
        Buffer.BlockCopy(SHA256.HashData(Payload), 0, b, 80, 32);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(112), PayloadType);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(116), Payload.Length);
        Buffer.BlockCopy(Payload, 0, b, 120, Payload.Length);
        return b;
    }

    /// <summary>Null for a frame that is not a valid message (the agent drops those, unacknowledged).</summary>
    public static AgentMessage? Parse(byte[] b)
    {
        if (b.Length < 120 || BinaryPrimitives.ReadInt32BigEndian(b) != 116 || BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(116)) != b.Length - 120)
        {
            return null;
        }
        var payload = b[120..];
        if (payload.Length > 0 && !SHA256.HashData(payload).AsSpan().SequenceEqual(b.AsSpan(80, 32)))
        {
            return null;
        }
        var id = new byte[16];
        Buffer.BlockCopy(b, 72, id, 0, 8);
        Buffer.BlockCopy(b, 64, id, 8, 8);
        return new AgentMessage(
            Encoding.UTF8.GetString(b, 4, 32).Trim(' ', '\0'),
            BinaryPrimitives.ReadInt64BigEndian(b.AsSpan(48)),
            BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(112)),
            payload,
            new Guid(id, bigEndian: true),
            BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(56)));
    }
}
