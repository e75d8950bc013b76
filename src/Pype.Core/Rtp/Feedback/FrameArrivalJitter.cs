namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// Interarrival jitter of a video stream counted per frame: RFC 3550 A.8's running estimate
/// (J += (|D| − J) / 16, D the change in transit time) fed only by the first packet of each frame,
/// that is the first packet with a newer RTP timestamp than any before it.
/// <para>
/// The per-packet figure of RFC 3550, which the report blocks carry, counts the spread of one
/// frame's packets as jitter: a keyframe's fifty packets leave the sender one after another with
/// one timestamp, so each later packet looks late. A playout delay that followed it held every
/// frame for a keyframe's transmission time on a clean path. Here a frame's spread is not
/// counted; what is counted is how unevenly frames begin to arrive — the path's queueing, and a
/// frame waiting behind a keyframe on a slow link — which is what a playout delay must absorb.
/// Retransmissions and reordered packets carry older timestamps and are ignored.
/// </para>
/// </summary>
public sealed class FrameArrivalJitter(int clockRate)
{
    private DateTimeOffset firstArrival;
    private uint lastTimestamp;
    private long lastTransit;
    private bool started;
    /// <summary>Jitter times 16, as in A.8, so no precision is lost.</summary>
    private long scaledJitter;

    public long FramesCounted { get; private set; }

    public TimeSpan Jitter => TimeSpan.FromTicks((scaledJitter >> 4) * TimeSpan.TicksPerSecond / clockRate);

    public void OnPacket(uint rtpTimestamp, DateTimeOffset arrival)
    {
        if (started && unchecked((int)(rtpTimestamp - lastTimestamp)) <= 0) return;
        if (!started) firstArrival = arrival;
        var arrivalUnits = (long)((Int128)(arrival - firstArrival).Ticks * clockRate / TimeSpan.TicksPerSecond);
        // Only differences matter, so the 32-bit timestamp is compared modulo 2^32.
        var transit = (long)unchecked((int)((uint)arrivalUnits - rtpTimestamp));
        if (started)
        {
            var d = Math.Abs((long)unchecked((int)(transit - lastTransit)));
            scaledJitter += d - ((scaledJitter + 8) >> 4);
        }
        (lastTimestamp, lastTransit, started) = (rtpTimestamp, transit, true);
        FramesCounted++;
    }
}
