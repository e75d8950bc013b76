namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// One RTCP packet of a compound (RFC 3550 §6.4, RFC 4585 §6). Pype sends these inside session
/// message 0x41 (docs/protocol/rtp.md §7). Only the kinds Pype acts on are modelled; others are
/// skipped by the parser and counted.
/// </summary>
public abstract record RtcpPacket
{
    private protected RtcpPacket()
    {
    }
}

/// <summary>
/// RFC 3550 §6.4.1 report block: what a receiver saw of one source since the previous report.
/// <see cref="CumulativeLost"/> is 24-bit signed (duplicates can make it negative);
/// <see cref="LastSenderReport"/> and <see cref="DelaySinceLastSenderReport"/> are in NTP short
/// form (1/65536 s) and give the sender its round-trip time (<see cref="RtcpNtpTime.RoundTrip"/>).
/// </summary>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    /// <summary>RFC 3550 §6.4.1: the 24-bit signed range of the cumulative-lost field.</summary>
    public const int MinCumulativeLost = -(1 << 23);

    public const int MaxCumulativeLost = (1 << 23) - 1;

    /// <summary>The fraction lost as a number from 0 to 255/256.</summary>
    public double LossFraction => FractionLost / 256.0;
}

/// <summary>RFC 3550 §6.4.1 SR (PT 200): the sender's wallclock/RTP time pair, its counts, and its own reports as a receiver.</summary>
public sealed record RtcpSenderReport(
    uint Ssrc,
    ulong NtpTimestamp,
    uint RtpTimestamp,
    uint PacketCount,
    uint OctetCount,
    IReadOnlyList<RtcpReportBlock> Reports) : RtcpPacket
{
    public bool Equals(RtcpSenderReport? other) =>
        other is not null && (Ssrc, NtpTimestamp, RtpTimestamp, PacketCount, OctetCount) ==
        (other.Ssrc, other.NtpTimestamp, other.RtpTimestamp, other.PacketCount, other.OctetCount)
        && Reports.SequenceEqual(other.Reports);

    public override int GetHashCode() => HashCode.Combine(Ssrc, NtpTimestamp, Reports.Count);
}

/// <summary>RFC 3550 §6.4.2 RR (PT 201): reports from a participant that sent no media since its last report.</summary>
public sealed record RtcpReceiverReport(uint Ssrc, IReadOnlyList<RtcpReportBlock> Reports) : RtcpPacket
{
    public bool Equals(RtcpReceiverReport? other) =>
        other is not null && Ssrc == other.Ssrc && Reports.SequenceEqual(other.Reports);

    public override int GetHashCode() => HashCode.Combine(Ssrc, Reports.Count);
}

/// <summary>
/// RFC 4585 §6.2.1 Generic NACK (PT 205, FMT 1): the media source's packets the receiver asks to
/// have again. On the wire the numbers are packed as PID + 16-bit BLP items; here they are a plain
/// list, in the order the wire gives them (each item's PID, then its bitmask from low bit up).
/// </summary>
public sealed record RtcpGenericNack(uint SenderSsrc, uint MediaSsrc, IReadOnlyList<ushort> LostSequenceNumbers) : RtcpPacket
{
    public bool Equals(RtcpGenericNack? other) =>
        other is not null && SenderSsrc == other.SenderSsrc && MediaSsrc == other.MediaSsrc
        && LostSequenceNumbers.SequenceEqual(other.LostSequenceNumbers);

    public override int GetHashCode() => HashCode.Combine(SenderSsrc, MediaSsrc, LostSequenceNumbers.Count);
}

/// <summary>RFC 4585 §6.3.1 Picture Loss Indication (PT 206, FMT 1): the receiver needs a keyframe.</summary>
public sealed record RtcpPictureLossIndication(uint SenderSsrc, uint MediaSsrc) : RtcpPacket;

/// <summary>
/// Pype's delay-trend report, an RTCP APP packet (RFC 3550 §6.7, PT 204, subtype 0, name "PYDT"):
/// what the receiver of <see cref="MediaSsrc"/> measures of its path (docs/protocol/rtp.md §7.5).
/// <see cref="QueueDelayMs"/> saturates at 65535; <see cref="ReceiveBitrate"/> is in bits per second.
/// </summary>
public sealed record RtcpDelayTrendReport(uint Ssrc, uint MediaSsrc, RateControl.DelayTrend Trend, ushort QueueDelayMs, uint ReceiveBitrate) : RtcpPacket;
