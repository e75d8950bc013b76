using Akka.Actor;
using Akka.Event;
using Pype.Actors.Configuration;
using Pype.Core.Calls;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.Playout;
using Pype.Core.Rtp.RateControl;
using Pype.Media;
using Pype.Media.Processes;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// One call's media: a child actor per stage, wired at start from the settings and both media offers.
/// <code>
/// video-capture → video-encoder → video-sender → network
/// audio-capture → audio-encoder → audio-sender → network
/// MediaPacketReceived → (demux by payload type + SSRC) → video-receiver → video-decoder → video-render
///                                                      → audio-receiver → audio-decoder → audio-out
/// </code>
/// A source of "none" leaves out its sending stages; a video out of "none" leaves out decoding and
/// rendering (packets and frames are still counted); audio is always decoded. The stages report
/// counts here, so <see cref="GetMediaStats"/> is answered at any time. A stage that fails for good
/// (a missing device, an ffmpeg that keeps dying) becomes a <see cref="MediaProblem"/> for the
/// parent, and the rest of the call goes on. Stopping this actor stops every stage, which ends
/// their ffmpeg processes and closes their files.
/// <para>
/// <see cref="Prepare"/> starts every stage while the call still rings, held: capture runs but
/// its frames are thrown away, the encoder and decoder ffmpegs set themselves up on one warm-up
/// keyframe that is never sent or shown, outputs stay closed, and nothing is sent. <see cref="StartMediaFlow"/> (the answer) lets frames through,
/// opens the outputs and accepts the peer's packets (any that came first are replayed): the
/// ffmpeg start-ups, the slowest part of a call's first picture, happened while it rang.
/// </para>
/// <para>
/// Feedback (0x41, docs/protocol/rtp.md §7) is handled here by one <see cref="RtcpSession"/>: it
/// sees every packet in and out, and every <see cref="FeedbackInterval"/> its reports, NACKs and
/// PLIs go to the network, NACKed packets to the video sender, PLIs to the encoder as a keyframe
/// request, the NACK repair window to the video receiver as its hold limit, and the send-rate
/// controller's bitrate and rung (frame rate, size) to the encoder through a <see cref="VideoEncodingFollower"/>.
/// </para>
/// </summary>
public sealed partial class MediaSessionActor : ReceiveActor, IWithTimers
{
    /// <summary>How often feedback deadlines are looked at: NACK retries are due one RTT apart, at least 10 ms.</summary>
    public static readonly TimeSpan FeedbackInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The receiver holds packets behind a gap until NACK gives it up, plus one look at the deadline.</summary>
    private static readonly TimeSpan HoldMargin = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Room for three NACK attempts at an RTT up to ~80 ms: with the core's 100 ms floor a second
    /// attempt arrived just after its give-up time, so each lost NACK or retransmission (one in ten
    /// at 5 % loss each way) cost a PLI and a frozen picture. The wait is only spent on packets that
    /// stay missing; a repaired gap releases the frame at once.
    /// </summary>
    private static readonly NackSchedulerOptions Nack = new() { MinGiveUpAge = TimeSpan.FromMilliseconds(250) };

    /// <summary>Beyond this a frozen picture is worse than a PLI's keyframe.</summary>
    private static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// Video playout follows the jitter counted per frame (<see cref="RtcpSession.VideoFrameJitter"/>),
    /// not RTP's per-packet figure, which counts the spread of a keyframe's packets as jitter: a
    /// target that followed that held frames for up to 150 ms on a clean path (call benchmark p95
    /// 246 ms at 640x480). A 5 ms margin below zero lets a frame jitter under ~2 ms — a quiet
    /// loopback or LAN — release every frame the moment it is whole.
    /// </summary>
    public static readonly PlayoutDelayOptions VideoPlayout = PlayoutDelayOptions.Video with { Margin = TimeSpan.FromMilliseconds(-5) };

    /// <summary>
    /// A stream's jitter feeds its playout target only from this long after its first packet. At
    /// call start both sides start five ffmpeg processes on few cores, and the first packets come
    /// in bursts hundreds of milliseconds late: measured, that put the video target at its 150 ms
    /// ceiling, and the slow decay (10 ms/s) kept it there for the next ten seconds. The start-up
    /// burst says how busy the machine was, not how the path behaves; after two seconds the RFC 3550
    /// estimate (gain 1/16 per packet) has forgotten it.
    /// </summary>
    public static readonly TimeSpan JitterGrace = TimeSpan.FromSeconds(2);

    /// <summary>A playout target moves its stage only when it changed by this much: finer steps would be noise.</summary>
    private static readonly TimeSpan TargetStep = TimeSpan.FromMilliseconds(1);

    /// <summary>Packets from the peer kept while the call is not flowing yet (its media may overtake its Accept).</summary>
    private const int MaxEarlyPackets = 256;

    private MediaSessionSpec spec;
    private readonly MediaSettings settings;
    private readonly IActorRef network;
    private VideoSendFormat send;
    private MediaPacketDemux demux;
    private readonly MediaStatsAccumulator stats = new();
    private readonly CallStatistics rates = new();
    private readonly FreezeMeter freezes = new();
    private readonly Dictionary<IActorRef, string> stages = [];
    private readonly HashSet<string> reported = [];
    private readonly ILoggingAdapter log = Context.GetLogger();
    private RtcpSession feedback;
    private bool flowing;
    private readonly Queue<byte[]> early = new();
    private readonly List<IActorRef> heldStages = [];
    private readonly List<IActorRef> videoSendingStages = [];
    private int videoSendingGeneration;
    private IActorRef videoReceiver = ActorRefs.Nobody;
    private IActorRef audioPlayout = ActorRefs.Nobody;
    private IActorRef videoSender = ActorRefs.Nobody;
    private IActorRef videoEncoder = ActorRefs.Nobody;
    private IActorRef videoDecoder = ActorRefs.Nobody;
    private VideoEncodingFollower encoding;
    private EncodedVideoFormat? sentFormat;
    private readonly PlayoutDelayEstimator audioDelay = new(PlayoutDelayOptions.Audio);
    private readonly PlayoutDelayEstimator videoDelay = new(VideoPlayout);
    private TimeSpan audioTargetTold = PlayoutDelayOptions.Audio.Min;
    private TimeSpan videoTargetTold = VideoPlayout.Min;
    private TimeSpan holdLimit;
    private TimeSpan? firstAudioAt;
    private TimeSpan flowStartedAt;
    private bool firstPictureTold;
    private TimeSpan? firstVideoAt;

    public MediaSessionActor(MediaSessionSpec spec, MediaSettings settings, IActorRef network, bool flowsAtStart)
    {
        (this.spec, this.settings, this.network, flowing) = (spec, settings, network, flowsAtStart);
        flowStartedAt = MediaClock.Now;
        if (flowsAtStart && spec.Remote is null) throw new ArgumentException("media cannot flow before the peer's media offer is known", nameof(spec));
        (send, demux, feedback, encoding) = Negotiate(spec.Remote);

        Receive<StartMediaFlow>(StartFlow);
        Receive<MediaPacketReceived>(received =>
        {
            if (flowing) Received(received);
            else if (early.Count < MaxEarlyPackets) early.Enqueue(received.Payload);
            else stats.Drop("before-answer");
        });
        Receive<RtpSent>(sent => feedback.OnSent(sent.Stream, sent.RtpTimestamp, sent.Packets, sent.PayloadOctets, MediaClock.UtcNow));
        Receive<FeedbackTick>(_ =>
        {
            if (!flowing) return;
            feedback.HandleTimeout(MediaClock.UtcNow);
            SendFeedback();
            UpdatePlayoutTargets();
        });
        Receive<GetMediaStats>(_ => Sender.Tell(Snapshot()));
        Receive<MediaCount>(Count);
        Receive<MediaDrop>(drop => stats.Drop(drop.Reason, drop.Amount));
        Receive<EncodedVideoFormat>(format => sentFormat = format);
        // Our own warm-up keyframe: the decoder's ffmpeg sets itself up on it while the call rings.
        Receive<WarmUpKeyframe>(warm => videoDecoder.Tell(warm));
        Receive<KeyframeNeeded>(_ =>
        {
            feedback.RequestKeyframe(MediaClock.UtcNow);
            SendFeedback();
        });
        Receive<MediaLatency>(latency =>
        {
            if (!firstPictureTold)
            {
                firstPictureTold = true;
                Context.Parent.Tell(new FirstPictureShown(spec.CallId, MediaClock.Now - flowStartedAt));
            }
            stats.Latency.Add(latency.CaptureToRender);
            var now = MediaClock.Now;
            freezes.FrameShown(now);
            rates.OnFrameRendered(MediaClock.UtcNow, MediaClock.ToUnixMicroseconds(now - latency.CaptureToRender));
        });
        Receive<MediaAudioLatency>(latency => stats.AudioLatency.Add(latency.CaptureToPlay));
        Receive<StageFailed>(failed => Report(failed.Stage, failed.Message));
        Receive<Terminated>(terminated =>
        {
            if (stages.Remove(terminated.ActorRef, out var stage) && !reported.Contains(stage))
                Report(stage, "the stage stopped after repeated failures");
        });
    }

    /// <summary>A session whose media flows from the start (the call is answered and both offers are known).</summary>
    /// <param name="network">Receives a <see cref="SendMediaPacket"/> for every outgoing packet.</param>
    public static Props Props(MediaSessionSpec spec, MediaSettings settings, IActorRef network) =>
        Akka.Actor.Props.Create(() => new MediaSessionActor(spec, settings, network, true));

    /// <summary>
    /// A session for a call that still rings: every stage starts, held, and nothing flows until
    /// <see cref="StartMediaFlow"/>. <paramref name="spec"/>'s Remote may be null (a caller does not
    /// know the answer yet).
    /// </summary>
    public static Props Prepare(MediaSessionSpec spec, MediaSettings settings, IActorRef network) =>
        Akka.Actor.Props.Create(() => new MediaSessionActor(spec, settings, network, false));

    /// <summary>
    /// What the peer's offer decides: the send format within both sides' limits, the demultiplexer
    /// and the feedback for its SSRCs. Before the answer a caller knows only its own limits, and the
    /// peer's SSRCs stand as 0, which no offer uses; nothing is received or reported before the answer.
    /// </summary>
    private (VideoSendFormat, MediaPacketDemux, RtcpSession, VideoEncodingFollower) Negotiate(MediaOffer? remote)
    {
        var video = settings.Video;
        var limits = remote is null ? spec.Local.Limits : spec.Local.Limits.Intersect(remote.Limits);
        var format = VideoSendFormat.Within(video.Width, video.Height, video.FrameRate, video.BitrateKbps, limits);
        var rate = new SendRateController(new SendRateOptions
        {
            // The configured bitrate within the negotiated limits is both the start and the ceiling:
            // on a clean path the call looks as the user set it up; the controller only takes away.
            StartBitrate = format.BitrateKbps * 1000L,
            MaxBitrate = format.BitrateKbps * 1000L,
            Ladder = VideoRung.LadderWithin(format.Width, format.Height, format.FrameRate),
        });
        var (remoteVideo, remoteAudio) = remote is null ? (0u, 0u) : (remote.VideoSsrc, remote.AudioSsrc);
        return (format, new MediaPacketDemux(remoteVideo, remoteAudio),
            new RtcpSession(new RtcpSessionSsrcs(spec.Local.VideoSsrc, spec.Local.AudioSsrc, remoteVideo, remoteAudio), rate, Nack),
            new VideoEncodingFollower(format.BitrateKbps, format.BitrateKbps, rate.Rung));
    }

    private void StartFlow(StartMediaFlow start)
    {
        if (flowing) return;
        flowing = true;
        flowStartedAt = MediaClock.Now;
        // A callee prepared with the caller's offer already; only a caller learns the peer's now.
        if (start.Remote != spec.Remote) Renegotiate(start.Remote);
        foreach (var stage in heldStages) stage.Tell(MediaFlowing.Instance);
        heldStages.Clear();
        while (early.TryDequeue(out var payload)) Received(new MediaPacketReceived(payload));
    }

    private void Renegotiate(MediaOffer remote)
    {
        var prepared = send;
        spec = spec with { Remote = remote };
        (send, demux, feedback, encoding) = Negotiate(remote);
        // The peer's limits were unknown while a caller prepared; a smaller negotiated format needs
        // capture and encoder started again (a rare cost: both sides usually run the same limits).
        if (send != prepared && videoSendingStages.Count > 0)
        {
            foreach (var stage in videoSendingStages)
            {
                heldStages.Remove(stage);
                stages.Remove(stage);
                Context.Stop(stage);
            }
            videoSendingStages.Clear();
            StartVideoSending(held: false);
        }
    }

    /// <summary>A stage that throws is restarted (its ffmpeg and files are closed and reopened), at most three times a minute, then stopped.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(3, TimeSpan.FromMinutes(1), Decider.From(Directive.Restart));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("feedback", FeedbackTick.Instance, FeedbackInterval);
        var held = !flowing;
        // Without ffmpeg, one clear report and the stages that need none (Opus, PortAudio, wav out).
        var missingFfmpeg = FfmpegInstallation.Problem;
        if (missingFfmpeg is not null) Report("ffmpeg", missingFfmpeg);
        var withFfmpeg = missingFfmpeg is null;
        if (withFfmpeg) StartVideoSending(held);
        if (withFfmpeg || settings.Audio.Source.Kind == AudioSourceKind.PortAudio) StartAudioSending(held);
        StartVideoReceiving(held, decode: withFfmpeg);
        StartAudioReceiving(held);
    }

    private void StartVideoSending(bool held)
    {
        var video = settings.Video;
        if (video.Source.Kind == VideoSourceKind.None) return;
        // A restart at the answer (a smaller negotiated format) needs names the stopping stages do not hold.
        var suffix = videoSendingGeneration++ == 0 ? "" : $"-{videoSendingGeneration}";
        var sender = videoSender = Stage(VideoSenderActor.Stage, VideoSenderActor.Props(spec.Peer, spec.Local.VideoSsrc, network), suffix);
        var encoderSettings = VideoEncoderActor.SettingsFor(send, video.KeyframeInterval, encoding.Current);
        var encoder = videoEncoder = Stage(VideoEncoderActor.Stage, VideoEncoderActor.Props(encoderSettings, send.FrameRate, sender, warmUp: held), suffix);
        var (source, format) = (video.Source, send);
        var capture = Stage("video-capture", CaptureActor<VideoFrame>.Props("video-capture", () =>
        {
            var opened = MediaDevices.OpenVideoSource(source, format, video);
            return new OpenedSource<VideoFrame>(opened.ReadFramesAsync, opened);
        }, encoder, MediaCounter.VideoFramesCaptured, held), suffix);
        videoSendingStages.AddRange([sender, encoder, capture]);
        if (held) heldStages.Add(capture);
    }

    private void StartAudioSending(bool held)
    {
        var source = settings.Audio.Source;
        if (source.Kind == AudioSourceKind.None) return;
        var sender = Stage(AudioSenderActor.Stage, AudioSenderActor.Props(spec.Peer, spec.Local.AudioSsrc, network));
        var encoder = Stage(AudioEncoderActor.Stage, AudioEncoderActor.Props(sender));
        var capture = Stage("audio-capture", CaptureActor<AudioFrame>.Props("audio-capture", () =>
        {
            var opened = MediaDevices.OpenAudioSource(source);
            return new OpenedSource<AudioFrame>(opened.ReadFramesAsync, opened);
        }, encoder, MediaCounter.AudioFramesCaptured, held));
        if (held) heldStages.Add(capture);
    }

    private void StartVideoReceiving(bool held, bool decode)
    {
        var video = settings.Video;
        IActorRef decoder = ActorRefs.Nobody;
        if (video.DecodesReceived && decode)
        {
            var (sink, record, width, height, frameRate) = (video.Out, video.Record, video.Width, video.Height, video.FrameRate);
            var render = Stage(VideoRenderActor.Stage, VideoRenderActor.Props(() => MediaDevices.OpenVideoSinks(sink, record, width, height, frameRate), closed: held));
            if (held) heldStages.Add(render);
            decoder = videoDecoder = Stage(VideoDecoderActor.Stage, VideoDecoderActor.Props(width, height, render));
        }
        videoReceiver = Stage(VideoReceiverActor.Stage, VideoReceiverActor.Props(decoder));
    }

    private void StartAudioReceiving(bool held)
    {
        var (sink, record) = (settings.Audio.Out, settings.Audio.Record);
        var output = sink.Kind == AudioSinkKind.None && (record?.Kind ?? AudioSinkKind.None) == AudioSinkKind.None
            ? ActorRefs.Nobody
            : Stage(AudioOutActor.Stage, AudioOutActor.Props(() => MediaDevices.OpenAudioSinks(sink, record), closed: held));
        if (held && !output.IsNobody()) heldStages.Add(output);
        audioPlayout = Stage(AudioPlayoutActor.Stage, AudioPlayoutActor.Props(output));
    }

    private IActorRef Stage(string name, Props props, string actorNameSuffix = "")
    {
        var child = Context.ActorOf(props, name + actorNameSuffix);
        Context.Watch(child);
        stages[child] = name;
        return child;
    }

    private void Count(MediaCount count)
    {
        stats.Add(count.Counter, count.Amount);
        if (count.Counter == MediaCounter.BytesSent) rates.OnPacketSent(MediaClock.UtcNow, (int)count.Amount);
        else if (count.Counter == MediaCounter.VideoFramesSent) rates.OnFrameSent(MediaClock.UtcNow);
    }

    private void Received(MediaPacketReceived received)
    {
        stats.Add(MediaCounter.PacketsReceived);
        stats.Add(MediaCounter.BytesReceived, received.Payload.Length);
        rates.OnPacketReceived(MediaClock.UtcNow, received.Payload.Length);
        if (MediaPacketDemux.IsRtcp(received.Payload))
        {
            feedback.OnRtcp(received.Payload.AsSpan(1), MediaClock.UtcNow);
            SendFeedback();
            return;
        }
        var packet = demux.Demux(received.Payload);
        if (packet.Packet is null)
        {
            stats.Drop(DropName(packet.Drop));
            return;
        }
        feedback.OnReceived(packet.Stream, packet.Packet, MediaClock.UtcNow);
        if (packet.Stream == MediaStreamKind.Video) firstVideoAt ??= MediaClock.Now;
        else firstAudioAt ??= MediaClock.Now;
        if (packet.Stream == MediaStreamKind.Video)
        {
            stats.Add(MediaCounter.VideoPacketsReceived);
            videoReceiver.Tell(new ReceivedRtp(packet.Packet));
        }
        else
        {
            audioPlayout.Tell(new ReceivedRtp(packet.Packet));
        }
        SendFeedback();
    }

    /// <summary>Drains the feedback core: RTCP to the peer, repairs to the sending stages, the repair window to the receiver.</summary>
    private void SendFeedback()
    {
        while (feedback.TryTakeCompound(out var compound))
        {
            var payload = MediaPacketDemux.FrameRtcp(compound);
            stats.Add(MediaCounter.PacketsSent);
            stats.Add(MediaCounter.BytesSent, payload.Length);
            rates.OnPacketSent(MediaClock.UtcNow, payload.Length);
            network.Tell(new SendMediaPacket(spec.Peer, payload));
        }
        while (feedback.TryTakeRetransmission(out var lost))
            videoSender.Tell(new RetransmitVideo(lost, RtpSendHistory.MinResendInterval(feedback.Network.RoundTrip)));
        if (feedback.TakeKeyframeRequest())
            videoEncoder.Tell(RequestKeyframe.Instance);
        if (encoding.Follow(feedback.Rate.TargetBitrate, feedback.Rate.Rung, MediaClock.Now) is { } next)
            videoEncoder.Tell(new SetVideoEncoding(VideoEncoderActor.SettingsFor(send, settings.Video.KeyframeInterval, next)));
        var window = feedback.RepairWindow(HoldMargin, MaxHold);
        if ((window - holdLimit).Duration() >= TimeSpan.FromMilliseconds(5))
        {
            holdLimit = window;
            videoReceiver.Tell(new SetHoldLimit(window));
        }
    }

    /// <summary>Both playout targets follow their stream's jitter (docs/RESILIENCE.md §1); a stage hears of a change of 1 ms or more.</summary>
    private void UpdatePlayoutTargets()
    {
        var now = MediaClock.UtcNow;
        var audio = audioDelay.Update(PastGrace(firstAudioAt) ? feedback.AudioJitter : TimeSpan.Zero, now);
        if ((audio - audioTargetTold).Duration() >= TargetStep)
        {
            audioTargetTold = audio;
            audioPlayout.Tell(new SetPlayoutTarget(audio));
        }
        var video = videoDelay.Update(PastGrace(firstVideoAt) ? feedback.VideoFrameJitter : TimeSpan.Zero, now);
        if ((video - videoTargetTold).Duration() >= TargetStep || (video == TimeSpan.Zero && videoTargetTold != TimeSpan.Zero))
        {
            videoTargetTold = video;
            videoReceiver.Tell(new SetPlayoutTarget(video));
        }
    }

    private static bool PastGrace(TimeSpan? firstPacketAt) => firstPacketAt is { } first && MediaClock.Now - first >= JitterGrace;

    private static string DropName(MediaPacketDropReason reason) => reason switch
    {
        MediaPacketDropReason.NotMediaRtp => "not-media-rtp",
        MediaPacketDropReason.TooLong => "too-long",
        MediaPacketDropReason.MalformedRtp => "malformed-rtp",
        MediaPacketDropReason.UnknownPayloadType => "unknown-payload-type",
        MediaPacketDropReason.ForeignSsrc => "foreign-ssrc",
        _ => reason.ToString(),
    };

    private void Report(string stage, string message)
    {
        reported.Add(stage);
        log.Warning("call {0:x}: media stage {1}: {2}", spec.CallId, stage, message);
        Context.Parent.Tell(new MediaProblem(spec.CallId, stage, message));
    }
}
