using System.Buffers.Binary;

namespace Pype.Core.Session;

/// <summary>Codecs of the link-upkeep messages every session understands.</summary>
public static class LinkMessages
{
    public const int PingLength = 1 + 8;

    public static byte[] Keepalive() => [(byte)SessionMessageType.Keepalive];

    public static byte[] Ping(ulong nonce) => WithNonce(SessionMessageType.Ping, nonce);

    public static byte[] Pong(ulong nonce) => WithNonce(SessionMessageType.Pong, nonce);

    public static byte[] PathChallenge(ulong token) => WithNonce(SessionMessageType.PathChallenge, token);

    public static byte[] PathResponse(ulong token) => WithNonce(SessionMessageType.PathResponse, token);

    /// <summary>Reads the nonce of a Ping or Pong (or the token of a path challenge or response); false when the message is not exactly that.</summary>
    public static bool TryReadNonce(ReadOnlySpan<byte> message, SessionMessageType expected, out ulong nonce)
    {
        nonce = 0;
        if (message.Length != PingLength || message[0] != (byte)expected) return false;
        nonce = BinaryPrimitives.ReadUInt64BigEndian(message[1..]);
        return true;
    }

    private static byte[] WithNonce(SessionMessageType type, ulong nonce)
    {
        var message = new byte[PingLength];
        message[0] = (byte)type;
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(1), nonce);
        return message;
    }
}
