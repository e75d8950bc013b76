using System.Buffers.Binary;

namespace Pype.Core.Wire;

/// <summary>
/// Packet 0xE4: a responder under load answers an initiation that lacks a valid mac2 with this
/// instead of doing Diffie-Hellman. It names the initiation's sender index and carries the
/// cookie for the initiator's address, sealed with XChaCha20-Poly1305 (random 24-byte nonce,
/// the initiation's mac1 as associated data). 64 bytes: less than the 148-byte initiation it
/// answers, so it amplifies nothing.
/// </summary>
public sealed record CookieReply(uint ReceiverIndex, byte[] Nonce, byte[] EncryptedCookie)
{
    public const int NonceLength = 24;
    public const int EncryptedCookieLength = PacketMac.CookieLength + 16;

    public const int ReceiverIndexOffset = PypePacket.HeaderLength;
    public const int NonceOffset = ReceiverIndexOffset + PypePacket.IndexLength;
    public const int EncryptedCookieOffset = NonceOffset + NonceLength;
    public const int Length = EncryptedCookieOffset + EncryptedCookieLength;
}

public static class CookieReplyCodec
{
    public static WireResult<byte[]> Encode(CookieReply reply)
    {
        if (reply.Nonce.Length != CookieReply.NonceLength || reply.EncryptedCookie.Length != CookieReply.EncryptedCookieLength)
            return WireError.FieldLengthInvalid;
        var packet = new byte[CookieReply.Length];
        PypePacket.WriteHeader(packet, PypePacketType.CookieReply);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(CookieReply.ReceiverIndexOffset), reply.ReceiverIndex);
        reply.Nonce.CopyTo(packet, CookieReply.NonceOffset);
        reply.EncryptedCookie.CopyTo(packet, CookieReply.EncryptedCookieOffset);
        return WireResult<byte[]>.Success(packet);
    }

    public static WireResult<CookieReply> Decode(ReadOnlySpan<byte> packet)
    {
        var headerError = PypePacket.CheckHeader(packet, PypePacketType.CookieReply);
        if (headerError != WireError.None)
            return headerError;
        if (packet.Length != CookieReply.Length)
            return WireError.WrongLength;
        return WireResult<CookieReply>.Success(new CookieReply(
            BinaryPrimitives.ReadUInt32LittleEndian(packet[CookieReply.ReceiverIndexOffset..]),
            packet.Slice(CookieReply.NonceOffset, CookieReply.NonceLength).ToArray(),
            packet.Slice(CookieReply.EncryptedCookieOffset, CookieReply.EncryptedCookieLength).ToArray()));
    }
}
