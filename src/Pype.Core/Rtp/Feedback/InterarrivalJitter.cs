namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// RFC 3550 A.8's running estimate of interarrival jitter, J += (|D| − J) / 16 with D the change in
/// transit time (arrival − RTP timestamp) between two counted packets. Which packets count is the
/// owner's choice: every packet that advances the sequence (<see cref="RtpReceiveStatistics"/>) or
/// the first packet of each frame (<see cref="FrameArrivalJitter"/>).
/// </summary>
internal sealed class InterarrivalJitter(int clockRate)
{
    private DateTimeOffset firstArrival;
    private long lastTransit;
    private bool haveTransit;
    /// <summary>Jitter times 16, the integer form of A.8's estimate, so no precision is lost.</summary>
    private long scaledJitter;

    /// <summary>The estimate in RTP timestamp units, as a report block carries it.</summary>
    public uint Units => (uint)(scaledJitter >> 4);

    public TimeSpan Time => TimeSpan.FromTicks(Units * TimeSpan.TicksPerSecond / clockRate);

    /// <summary>The source restarted its numbering: the next packet sets a new transit baseline; the estimate is kept.</summary>
    public void Restart() => haveTransit = false;

    public void Count(uint rtpTimestamp, DateTimeOffset arrival)
    {
        if (!haveTransit) firstArrival = arrival;
        var arrivalUnits = (long)((Int128)(arrival - firstArrival).Ticks * clockRate / TimeSpan.TicksPerSecond);
        // Only differences matter, so the 32-bit timestamp is compared modulo 2^32.
        var transit = (long)unchecked((int)((uint)arrivalUnits - rtpTimestamp));
        if (haveTransit)
        {
            var d = Math.Abs((long)unchecked((int)(transit - lastTransit)));
            scaledJitter += d - ((scaledJitter + 8) >> 4);
        }
        lastTransit = transit;
        haveTransit = true;
    }
}
