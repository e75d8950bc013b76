using Akka.Actor;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Playout;
using Pype.Media;

namespace Pype.Actors.Media;

/// <summary>
/// Turns a depacketiser's running totals into the session's counters, sending only what changed.
/// </summary>
internal sealed class CounterDeltas(IActorRef session)
{
    private readonly Dictionary<string, long> reported = [];

    public void Count(MediaCounter counter, long total)
    {
        var delta = Delta(counter.ToString(), total);
        if (delta > 0) session.Tell(new MediaCount(counter, delta));
    }

    public void Drop(string reason, long total)
    {
        var delta = Delta(reason, total);
        if (delta > 0) session.Tell(new MediaDrop(reason, delta));
    }

    private long Delta(string key, long total)
    {
        var delta = total - reported.GetValueOrDefault(key);
        reported[key] = total;
        return delta;
    }
}

/// <summary>
/// The video receiving stage: puts packets back in order, joins them into access units
/// (<see cref="H264Depacketizer"/>: a NAL unit with a lost fragment is dropped, never passed on in
/// part) and tells each frame to the decoder stage, which decides whether it may be decoded.
/// A gap is waited for at most <see cref="MaxHold"/> until the session sets the NACK repair window
/// (<see cref="SetHoldLimit"/>: long enough for a retransmission to arrive, about two RTTs), then
/// given up on, so one lost packet costs that much delay rather than the depacketiser's whole
/// reorder window. On a clean path nothing waits.
/// <para>
/// Frames then pass a <see cref="VideoPlayoutGate{TFrame}"/> on their way to the decoder: held until
/// their capture time plus the fastest recent transit plus the target the session sets from the
/// video jitter (<see cref="SetPlayoutTarget"/>), so frames that came early wait for late ones and
/// motion stays even. A target under 1 ms (a clean path) passes every frame on at once.
/// </para>
/// <para>
/// One timer, armed at the earlier of the two deadlines (a gap given up, the oldest held frame
/// due), replaces a look every 10 ms: with nothing waiting, the stage is not woken at all.
/// </para>
/// </summary>
internal sealed class VideoReceiverActor : ReceiveActor, IWithTimers
{
    public const string Stage = "video-receiver";
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(110);
    private const string DeadlineTimer = "deadline";

    private readonly H264Depacketizer depacketizer = new();
    private readonly HoldDeadline hold = new(MaxHold);
    private readonly VideoPlayoutGate<DepacketizedAccessUnit> gate = new();
    private readonly IActorRef decoder;
    private readonly CounterDeltas deltas;
    private TimeSpan target;
    private TimeSpan? armedFor;

    public VideoReceiverActor(IActorRef decoder)
    {
        this.decoder = decoder;
        deltas = new CounterDeltas(Context.Parent);
        Receive<ReceivedRtp>(received =>
        {
            hold.PacketTaken(MediaClock.Now);
            depacketizer.Push(received.Packet);
            Drain();
            Arm();
        });
        Receive<SetHoldLimit>(limit =>
        {
            hold.MaxHold = limit.MaxHold;
            Arm();
        });
        Receive<SetPlayoutTarget>(set =>
        {
            target = set.Target;
            Release();
            Arm();
        });
        Receive<CheckHoldDeadline>(_ =>
        {
            armedFor = null;
            Release();
            if (hold.IsDue(MediaClock.Now))
            {
                depacketizer.Flush();
                hold.Progressed();
                Drain();
            }
            Arm();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef decoder) => Akka.Actor.Props.Create(() => new VideoReceiverActor(decoder));

    /// <summary>Arms the timer for the earlier deadline on the media clock; re-arms only when it moved.</summary>
    private void Arm()
    {
        var next = hold.Deadline;
        if (gate.NextDeadline(target) is { } release)
        {
            // Rounded up to the next microsecond, so the timer never fires just before the frame is due.
            var releaseAt = MediaClock.FromUnixMicroseconds((release - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond + 1);
            next = next is { } due && due < releaseAt ? due : releaseAt;
        }
        if (next == armedFor) return;
        armedFor = next;
        if (next is not { } at)
        {
            Timers.Cancel(DeadlineTimer);
            return;
        }
        var delay = at - MediaClock.Now;
        Timers.StartSingleTimer(DeadlineTimer, CheckHoldDeadline.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }

    private void Drain()
    {
        var arrival = MediaClock.UtcNow;
        while (depacketizer.TryTake(out var frame))
        {
            hold.Progressed();
            gate.Push(frame, frame.CaptureTimeMicroseconds ?? MediaClock.ToUnixMicroseconds(MediaClock.Now), arrival);
        }
        Release();
        var counters = depacketizer.Counters;
        deltas.Count(MediaCounter.VideoFramesReceivedComplete, counters.FramesEmitted - counters.IncompleteFramesEmitted);
        deltas.Count(MediaCounter.VideoFramesReceivedIncomplete, counters.IncompleteFramesEmitted);
        deltas.Count(MediaCounter.VideoPacketsLost, counters.PacketsLost);
        deltas.Count(MediaCounter.VideoNalUnitsDropped, counters.FragmentedNalUnitsDropped);
        deltas.Drop("video-duplicate", counters.Duplicates);
        deltas.Drop("video-too-late", counters.TooLate);
        deltas.Drop("video-malformed-payload", counters.MalformedPayloads);
        deltas.Drop("video-unsupported-payload", counters.UnsupportedPayloads);
        deltas.Drop("video-oversized-nal-unit", counters.OversizedNalUnitsDropped);
    }

    /// <summary>Frames whose playout time has come go to the decoder, in the order they were completed.</summary>
    private void Release()
    {
        if (gate.HeldCount == 0) return;
        foreach (var frame in gate.Release(MediaClock.UtcNow, target)) decoder.Tell(frame);
    }
}
