namespace Pype.Core.Rtp;

/// <summary>
/// Sizes that make one RTP packet fit one Pype datagram (1200 bytes). The Noise transport packet
/// carries at most 1168 plaintext bytes (docs/protocol/noise.md §2.3); the first of them is the
/// session message type, so an RTP packet may be 1167 bytes long.
/// </summary>
public static class RtpLimits
{
    /// <summary>Plaintext bytes one Noise transport packet carries (1200 − 16 header − 16 tag).</summary>
    public const int TransportPayloadLength = 1168;

    /// <summary>The session message type byte that precedes every plaintext (SessionMessageType).</summary>
    public const int SessionMessageTypeLength = 1;

    public const int MaxPacketLength = TransportPayloadLength - SessionMessageTypeLength;

    /// <summary>RFC 3550 §5.1: V, P, X, CC, M, PT, sequence number, timestamp, SSRC.</summary>
    public const int FixedHeaderLength = 12;

    public const int CsrcLength = 4;

    /// <summary>RFC 3550: the CSRC count is four bits.</summary>
    public const int MaxCsrcCount = 15;

    /// <summary>
    /// Payload bytes left in a packet with no CSRCs and the header extension carrying both capture
    /// and send time: 1167 − 12 − 16 = 1139.
    /// </summary>
    public const int MaxPayloadLength = MaxPacketLength - FixedHeaderLength - RtpHeaderExtension.FullLength;
}
