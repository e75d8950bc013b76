namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// Interarrival jitter of a video stream counted per frame: RFC 3550 A.8's running estimate
/// (<see cref="InterarrivalJitter"/>) fed only by the first packet of each frame,
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
    private readonly InterarrivalJitter jitter = new(clockRate);
    private uint lastTimestamp;
    private bool started;

    public long FramesCounted { get; private set; }

    public TimeSpan Jitter => jitter.Time;

    public void OnPacket(uint rtpTimestamp, DateTimeOffset arrival)
    {
        if (started && unchecked((int)(rtpTimestamp - lastTimestamp)) <= 0) return;
        jitter.Count(rtpTimestamp, arrival);
        (lastTimestamp, started) = (rtpTimestamp, true);
        FramesCounted++;
    }
}
