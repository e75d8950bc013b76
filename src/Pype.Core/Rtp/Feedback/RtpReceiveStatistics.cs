namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// What one receiver knows about one incoming stream, kept as RFC 3550 Appendix A describes:
/// extended highest sequence number and source validation (A.1), expected and lost packets with
/// the fraction lost per report interval (A.3), and interarrival jitter (A.8). It builds the
/// report block for that stream, with LSR/DLSR from the last sender report received (§6.4.1).
/// </summary>
public sealed class RtpReceiveStatistics
{
    /// <summary>RFC 3550 A.1: a forward jump this large is a restart or garbage, not loss.</summary>
    public const int MaxDropout = 3000;

    /// <summary>RFC 3550 A.1: a packet this far behind the highest is an old duplicate, not reordering.</summary>
    public const int MaxMisorder = 100;

    private readonly InterarrivalJitter jitter;
    private bool started;
    private long baseSequence;
    private long highest;
    private long badSequence = -1;
    private long expectedPrior;
    private long receivedPrior;
    private uint lastSenderReport;
    private DateTimeOffset lastSenderReportArrival;

    public RtpReceiveStatistics(uint ssrc, int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clockRate, 1);
        Ssrc = ssrc;
        jitter = new InterarrivalJitter(clockRate);
    }

    public uint Ssrc { get; }

    /// <summary>Packets counted as received, duplicates and retransmissions included (RFC 3550 A.3).</summary>
    public long Received { get; private set; }

    /// <summary>Packets thrown out by source validation: a wild jump not confirmed by its successor.</summary>
    public long Discarded { get; private set; }

    /// <summary>Highest sequence number seen, extended with the wrap-around count in the top 16 bits.</summary>
    /// <remarks>Internally the first number is placed one cycle up, so reordering just before it never goes negative.</remarks>
    public uint ExtendedHighestSequence => started ? (uint)(highest - (1L << 16)) : 0;

    public long Expected => started ? highest - baseSequence + 1 : 0;

    /// <summary>Expected minus received; negative when duplicates outnumber losses.</summary>
    public long CumulativeLost => Expected - Received;

    /// <summary>Interarrival jitter in RTP timestamp units, as the report block carries it.</summary>
    public uint Jitter => jitter.Units;

    public TimeSpan JitterTime => jitter.Time;

    /// <summary>
    /// Counts one arriving packet. Jitter is only fed by packets that advance the highest sequence
    /// number: a retransmitted or reordered packet's late arrival says nothing about the path's
    /// steady variation, and would inflate the estimate the playout delay follows.
    /// </summary>
    public void Receive(ushort sequenceNumber, uint rtpTimestamp, DateTimeOffset arrival)
    {
        if (!started)
        {
            Restart(sequenceNumber);
            Received = 1;
            jitter.Count(rtpTimestamp, arrival);
            return;
        }

        var delta = (short)unchecked((ushort)(sequenceNumber - (ushort)highest));
        var extended = highest + delta;
        if (delta > 0 && delta < MaxDropout)
        {
            highest = extended;
            jitter.Count(rtpTimestamp, arrival);
        }
        else if (delta <= 0 && -delta <= MaxMisorder)
        {
            // Duplicate or reordered: counted, as A.3 counts them.
        }
        else if (extended == badSequence)
        {
            // RFC 3550 A.1: two packets in a row after a big jump mean the source restarted its numbering.
            Restart(sequenceNumber);
            jitter.Count(rtpTimestamp, arrival);
            Received = 0;
        }
        else
        {
            badSequence = extended + 1;
            Discarded++;
            return;
        }
        Received++;
    }

    /// <summary>Remembers a sender report on this stream, for the next block's LSR and DLSR.</summary>
    public void OnSenderReport(RtcpSenderReport report, DateTimeOffset arrival)
    {
        lastSenderReport = RtcpNtpTime.ToShort(report.NtpTimestamp);
        lastSenderReportArrival = arrival;
    }

    /// <summary>
    /// The report block for this stream, closing the report interval: the fraction lost covers the
    /// packets since the previous call (RFC 3550 A.3).
    /// </summary>
    public RtcpReportBlock CreateReportBlock(DateTimeOffset now)
    {
        var expected = Expected;
        var expectedInterval = expected - expectedPrior;
        var receivedInterval = Received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = Received;
        var lostInterval = expectedInterval - receivedInterval;
        var fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);

        return new RtcpReportBlock(
            Ssrc,
            fraction,
            (int)Math.Clamp(CumulativeLost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost),
            ExtendedHighestSequence,
            Jitter,
            lastSenderReport,
            lastSenderReport == 0 ? 0 : RtcpNtpTime.ToShort(now - lastSenderReportArrival));
    }

    private void Restart(ushort sequenceNumber)
    {
        started = true;
        baseSequence = sequenceNumber + (1L << 16);
        highest = baseSequence;
        badSequence = -1;
        expectedPrior = 0;
        receivedPrior = 0;
        jitter.Restart();
    }
}
