using Pype.Core.Rtp.Feedback;

namespace Pype.Core.Rtp.Playout;

public enum AudioPlayoutAction
{
    /// <summary>Not playing: before the first packet, or rebuffering after the buffer ran dry. Play silence.</summary>
    Wait,
    /// <summary>Decode <see cref="AudioPlayoutDecision.Packet"/>.</summary>
    Play,
    /// <summary>This frame is lost; decode it from the in-band FEC of <see cref="AudioPlayoutDecision.Packet"/>, the next one (kept for the next tick).</summary>
    DecodeFec,
    /// <summary>This frame is lost and nothing follows closely enough for FEC: run the decoder's PLC.</summary>
    Conceal,
    /// <summary>Produce 20 ms of filler (PLC) without consuming a packet, to grow the buffer towards the target.</summary>
    Stretch,
}

/// <summary>
/// What to play for one 20 ms tick. <see cref="DroppedBefore"/> frames were skipped just before,
/// to shrink the buffer towards the target.
/// </summary>
public readonly record struct AudioPlayoutDecision(AudioPlayoutAction Action, RtpPacket? Packet, int DroppedBefore);

public enum AudioPushOutcome
{
    Accepted,
    Duplicate,
    /// <summary>Its tick has already been played or concealed.</summary>
    Late,
    /// <summary>Further from the playout point than the buffer holds, and not (yet) confirmed as a restart.</summary>
    Discarded,
}

/// <summary>
/// An Opus jitter buffer driven by the playback clock: <see cref="Push"/> each arriving packet,
/// call <see cref="Tick"/> once per 20 ms of playback with the target delay
/// (<see cref="PlayoutDelayEstimator"/>). One packet is one 20 ms frame, one sequence number one
/// tick (DTX pauses simply leave the buffer empty).
/// <para>
/// Rule (docs/RESILIENCE.md §2): start when the buffer spans the target; per tick play the next
/// frame, or decode it by FEC from the one after, or conceal it. When the buffer spans more than
/// target + 40 ms drop one frame; less than target − 20 ms, stretch one; at most one such
/// adjustment per 100 ms, so the change stays inaudible. Beyond target + 200 ms (a burst after a
/// stall) playout skips ahead at once to the newest target's worth. An empty buffer stops playout
/// until the target is buffered again.
/// </para>
/// <para>
/// A packet further than the capacity from the playout point is a sender restart or garbage; as
/// RFC 3550 A.1 does, it is discarded unless the next packet follows it, and then playout starts
/// again from there. Without this a jump would be played through as minutes of concealment.
/// </para>
/// </summary>
public sealed class AudioPlayoutBuffer
{
    public static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);

    /// <summary>Ticks between two drops or stretches: 100 ms.</summary>
    public const int AdjustmentSpacing = 5;

    /// <summary>Depth above target that starts dropping: two frames, so the buffer does not hunt.</summary>
    public static readonly TimeSpan DropHysteresis = TimeSpan.FromMilliseconds(40);

    /// <summary>
    /// Depth above target at which playout skips ahead at once instead of dropping a frame per
    /// 100 ms: a stall upstream (a sender or receiver starting on a busy machine) delivers a burst,
    /// and draining 800 ms one frame at a time would add that delay for 4 s. The skip is audible
    /// once; the lag it removes would be heard for seconds.
    /// </summary>
    public static readonly TimeSpan CatchUpBeyond = TimeSpan.FromMilliseconds(200);

    private readonly SortedDictionary<long, RtpPacket> held = [];
    private readonly int capacity;
    private SequenceExtender sequences;
    private bool playing;
    private long next = -1;
    private long restartCandidate = -1;
    private int ticksSinceAdjustment = AdjustmentSpacing;

    /// <param name="capacity">Packets held at most; 50 = one second.</param>
    public AudioPlayoutBuffer(int capacity = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        this.capacity = capacity;
    }

    public long Played { get; private set; }
    public long FecDecoded { get; private set; }
    public long Concealed { get; private set; }
    public long Stretched { get; private set; }
    public long Dropped { get; private set; }
    public long Late { get; private set; }
    public long Underruns { get; private set; }

    public long Discarded { get; private set; }
    public long Restarts { get; private set; }

    /// <summary>Packets thrown away because the buffer was full.</summary>
    public long Overflowed { get; private set; }

    /// <summary>Playback time the buffer spans, from the next frame to play to the newest held (gaps included).</summary>
    public TimeSpan Depth => held.Count == 0 ? TimeSpan.Zero : FrameDuration * (held.Keys.Last() - FirstToPlay() + 1);

    public AudioPushOutcome Push(RtpPacket packet)
    {
        var extended = sequences.Peek(packet.SequenceNumber);
        var reference = next >= 0 ? next : held.Count > 0 ? held.Keys.First() : extended;
        if (Math.Abs(extended - reference) > capacity)
        {
            if (extended != restartCandidate)
            {
                restartCandidate = extended + 1;
                Discarded++;
                return AudioPushOutcome.Discarded;
            }
            Restart(packet.SequenceNumber);
            extended = sequences.Peek(packet.SequenceNumber);
        }
        restartCandidate = -1;
        sequences.Extend(packet.SequenceNumber);
        if (next >= 0 && extended < next)
        {
            Late++;
            return AudioPushOutcome.Late;
        }
        if (!held.TryAdd(extended, packet))
            return AudioPushOutcome.Duplicate;
        if (held.Count > capacity)
        {
            held.Remove(held.Keys.First());
            Overflowed++;
        }
        return AudioPushOutcome.Accepted;
    }

    public AudioPlayoutDecision Tick(TimeSpan targetDelay)
    {
        ticksSinceAdjustment++;
        if (held.Count == 0)
        {
            if (playing)
                Underruns++;
            playing = false;
            return new AudioPlayoutDecision(AudioPlayoutAction.Wait, null, 0);
        }
        if (!playing)
        {
            if (Depth < targetDelay)
                return new AudioPlayoutDecision(AudioPlayoutAction.Wait, null, 0);
            playing = true;
            next = FirstToPlay();
        }

        var dropped = 0;
        if (Depth > targetDelay + CatchUpBeyond)
        {
            // Keep the newest target's worth (at least one frame): everything older is stale.
            var keep = Math.Max(1, (long)Math.Ceiling(targetDelay / FrameDuration));
            var resume = held.Keys.Last() - keep + 1;
            dropped = (int)(resume - next);
            foreach (var stale in held.Keys.Where(k => k < resume).ToList()) held.Remove(stale);
            next = resume;
            Dropped += dropped;
            ticksSinceAdjustment = 0;
        }
        else if (ticksSinceAdjustment >= AdjustmentSpacing)
        {
            if (Depth > targetDelay + DropHysteresis)
            {
                held.Remove(next);
                next++;
                dropped = 1;
                Dropped++;
                ticksSinceAdjustment = 0;
            }
            else if (Depth < targetDelay - FrameDuration)
            {
                Stretched++;
                ticksSinceAdjustment = 0;
                return new AudioPlayoutDecision(AudioPlayoutAction.Stretch, null, 0);
            }
        }

        var current = next++;
        if (held.Remove(current, out var packet))
        {
            Played++;
            return new AudioPlayoutDecision(AudioPlayoutAction.Play, packet, dropped);
        }
        if (held.TryGetValue(current + 1, out var following))
        {
            FecDecoded++;
            return new AudioPlayoutDecision(AudioPlayoutAction.DecodeFec, following, dropped);
        }
        Concealed++;
        return new AudioPlayoutDecision(AudioPlayoutAction.Conceal, null, dropped);
    }

    private void Restart(ushort sequenceNumber)
    {
        Restarts++;
        held.Clear();
        playing = false;
        next = -1;
        sequences.Reset(sequenceNumber);
    }

    /// <summary>
    /// Where playout (re)starts: after a dry spell it carries on from the frame it stopped at if
    /// that is at most one frame behind the first held (so FEC can still recover it); a longer
    /// gap is stale, and playout jumps to the first held packet.
    /// </summary>
    private long FirstToPlay()
    {
        var first = held.Keys.First();
        if (next < 0)
            return first;
        return playing || first - next <= 1 ? next : first;
    }
}
