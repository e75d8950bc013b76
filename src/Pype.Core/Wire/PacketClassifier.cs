namespace Pype.Core.Wire;

/// <summary>
/// Demultiplexes the node's single UDP socket by the first byte of each datagram (RFC 7983 §7).
/// Pype's own packets live in 0xE0–0xEF, a range RFC 7983 leaves unassigned, so they can never be
/// mistaken for STUN, ZRTP, DTLS, TURN ChannelData, RTP/RTCP or QUIC. Which Pype packet it is
/// is <see cref="PypePacket.Classify"/>'s job.
/// </summary>
public static class PacketClassifier
{
    public const byte StunFirst = 0;
    public const byte StunLast = 3;
    public const byte TurnChannelDataFirst = 64;
    public const byte TurnChannelDataLast = 79;
    public const byte PypeFirst = 0xE0;
    public const byte PypeLast = 0xEF;

    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
            return PacketKind.Unknown;

        return datagram[0] switch
        {
            >= StunFirst and <= StunLast => PacketKind.Stun,
            >= TurnChannelDataFirst and <= TurnChannelDataLast => PacketKind.TurnChannelData,
            >= PypeFirst and <= PypeLast => PacketKind.Pype,
            _ => PacketKind.Unknown,
        };
    }
}
