namespace Pype.Core.Rtp.Feedback;

public enum RtcpParseError
{
    None,
    Empty,
    ShorterThanHeader,
    WrongVersion,
    /// <summary>A packet's length field points past the end of the datagram.</summary>
    LengthPastEnd,
    /// <summary>Padding on a packet other than the last, a zero count, or more padding than body.</summary>
    BadPadding,
    /// <summary>An SR, RR, NACK, PLI or PYDT body shorter than its header or report count needs.</summary>
    BodyTooShort,
}

/// <summary>
/// The packets of a compound in order, how many were skipped as kinds Pype does not act on (SDES,
/// BYE, APP, other feedback formats), or the reason the whole compound was rejected.
/// </summary>
public readonly record struct RtcpParseResult(IReadOnlyList<RtcpPacket> Packets, int SkippedPackets, RtcpParseError Error)
{
    public bool IsSuccess => Error == RtcpParseError.None;

    public static RtcpParseResult Failure(RtcpParseError error) => new([], 0, error);
}
