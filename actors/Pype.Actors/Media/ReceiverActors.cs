using Akka.Actor;
using Pype.Core.Media;
using Pype.Core.Rtp;
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
/// </summary>
internal sealed class VideoReceiverActor : ReceiveActor, IWithTimers
{
    public const string Stage = "video-receiver";
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(110);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(10);

    private readonly H264Depacketizer depacketizer = new();
    private readonly HoldDeadline hold = new(MaxHold);
    private readonly IActorRef decoder;
    private readonly CounterDeltas deltas;

    public VideoReceiverActor(IActorRef decoder)
    {
        this.decoder = decoder;
        deltas = new CounterDeltas(Context.Parent);
        Receive<ReceivedRtp>(received =>
        {
            hold.PacketTaken(MediaClock.Now);
            depacketizer.Push(received.Packet);
            Drain();
        });
        Receive<SetHoldLimit>(limit => hold.MaxHold = limit.MaxHold);
        Receive<CheckHoldDeadline>(_ =>
        {
            if (!hold.IsDue(MediaClock.Now)) return;
            depacketizer.Flush();
            hold.Progressed();
            Drain();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef decoder) => Akka.Actor.Props.Create(() => new VideoReceiverActor(decoder));

    protected override void PreStart() => Timers.StartPeriodicTimer("hold", CheckHoldDeadline.Instance, CheckInterval);

    private void Drain()
    {
        while (depacketizer.TryTake(out var frame))
        {
            hold.Progressed();
            decoder.Tell(frame);
        }
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
}

/// <summary>
/// The audio receiving stage: puts Opus packets in order (<see cref="OpusRtpDepacketizer"/>, a
/// window of five) and tells each, with the count of packets lost just before it, to the decoder.
/// A gap is given up on after <see cref="MaxHold"/>.
/// </summary>
internal sealed class AudioReceiverActor : ReceiveActor, IWithTimers
{
    public const string Stage = "audio-receiver";
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(60);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(10);

    private readonly OpusRtpDepacketizer depacketizer = new();
    private readonly HoldDeadline hold = new(MaxHold);
    private readonly IActorRef decoder;
    private readonly CounterDeltas deltas;

    public AudioReceiverActor(IActorRef decoder)
    {
        this.decoder = decoder;
        deltas = new CounterDeltas(Context.Parent);
        Receive<ReceivedRtp>(received =>
        {
            hold.PacketTaken(MediaClock.Now);
            depacketizer.Push(received.Packet);
            Drain();
        });
        Receive<CheckHoldDeadline>(_ =>
        {
            if (!hold.IsDue(MediaClock.Now)) return;
            depacketizer.Flush();
            hold.Progressed();
            Drain();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef decoder) => Akka.Actor.Props.Create(() => new AudioReceiverActor(decoder));

    protected override void PreStart() => Timers.StartPeriodicTimer("hold", CheckHoldDeadline.Instance, CheckInterval);

    private void Drain()
    {
        while (depacketizer.TryTake(out var packet))
        {
            hold.Progressed();
            decoder.Tell(packet);
        }
        var counters = depacketizer.Counters;
        deltas.Count(MediaCounter.AudioPacketsLost, counters.PacketsLost);
        deltas.Drop("audio-duplicate", counters.Duplicates);
        deltas.Drop("audio-too-late", counters.TooLate);
        deltas.Drop("audio-empty-payload", counters.EmptyPayloads);
    }
}
