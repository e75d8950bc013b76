namespace Pype.Core.Wire;

/// <summary>
/// The first byte of every Pype datagram. 0xE1–0xE4 lie outside the RFC 7983 ranges of STUN (0–3),
/// DTLS (20–63), TURN ChannelData (64–79) and RTP/RTCP (128–191), so one socket can demultiplex them.
/// </summary>
public enum PypePacketType : byte
{
    HandshakeInitiation = 0xE1,
    HandshakeResponse = 0xE2,
    TransportData = 0xE3,
    /// <summary>A responder under load answers an initiation without a valid mac2 with a cookie instead of a handshake.</summary>
    CookieReply = 0xE4,
}

public static class PypePacket
{
    /// <summary>Every Pype datagram fits the conservative path MTU shared by QUIC and WebRTC stacks.</summary>
    public const int MaxDatagramLength = 1200;

    public const int TypeLength = 1;
    public const int ReservedLength = 3;
    public const int IndexLength = 4;
    public const int HeaderLength = TypeLength + ReservedLength;

    /// <summary>Tells the transport which owner a datagram belongs to, without parsing the rest.</summary>
    public static PypePacketType? Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
            return null;
        var type = (PypePacketType)datagram[0];
        return Enum.IsDefined(type) ? type : null;
    }

    internal static void WriteHeader(Span<byte> destination, PypePacketType type)
    {
        destination[0] = (byte)type;
        destination.Slice(TypeLength, ReservedLength).Clear();
    }

    internal static WireError CheckHeader(ReadOnlySpan<byte> packet, PypePacketType expected)
    {
        if (packet.Length < HeaderLength)
            return WireError.TooShort;
        if (packet[0] != (byte)expected)
            return WireError.WrongType;
        return packet.Slice(TypeLength, ReservedLength).ContainsAnyExcept((byte)0) ? WireError.ReservedNotZero : WireError.None;
    }
}
