using Akka.Actor;
using Akka.Event;
using Pype.Actors.Configuration;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.Playout;
using Pype.Core.Rtp.RateControl;
using Pype.Media;
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
/// Feedback (0x41, docs/protocol/rtp.md §7) is handled here by one <see cref="RtcpSession"/>: it
/// sees every packet in and out, and every <see cref="FeedbackInterval"/> its reports, NACKs and
/// PLIs go to the network, NACKed packets to the video sender, PLIs to the encoder as a keyframe
/// request, the NACK repair window to the video receiver as its hold limit, and the send-rate
/// controller's bitrate and rung (frame rate, size) to the encoder through a <see cref="VideoEncodingFollower"/>.
/// </para>
/// </summary>
public sealed class MediaSessionActor : ReceiveActor, IWithTimers
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

    private readonly MediaSessionSpec spec;
    private readonly MediaSettings settings;
    private readonly IActorRef network;
    private readonly VideoSendFormat send;
    private readonly MediaPacketDemux demux;
    private readonly MediaStatsAccumulator stats = new();
    private readonly CallStatistics rates = new();
    private readonly FreezeMeter freezes = new();
    private readonly Dictionary<IActorRef, string> stages = [];
    private readonly HashSet<string> reported = [];
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly RtcpSession feedback;
    private IActorRef videoReceiver = ActorRefs.Nobody;
    private IActorRef audioPlayout = ActorRefs.Nobody;
    private IActorRef videoSender = ActorRefs.Nobody;
    private IActorRef videoEncoder = ActorRefs.Nobody;
    private readonly VideoEncodingFollower encoding;
    private EncodedVideoFormat? sentFormat;
    private readonly PlayoutDelayEstimator audioDelay = new(PlayoutDelayOptions.Audio);
    private readonly PlayoutDelayEstimator videoDelay = new(VideoPlayout);
    private TimeSpan audioTargetTold = PlayoutDelayOptions.Audio.Min;
    private TimeSpan videoTargetTold = VideoPlayout.Min;
    private TimeSpan holdLimit;
    private TimeSpan? firstAudioAt;
    private TimeSpan? firstVideoAt;

    public MediaSessionActor(MediaSessionSpec spec, MediaSettings settings, IActorRef network)
    {
        (this.spec, this.settings, this.network) = (spec, settings, network);
        var video = settings.Video;
        send = VideoSendFormat.Within(video.Width, video.Height, video.FrameRate, video.BitrateKbps, spec.Local.Limits.Intersect(spec.Remote.Limits));
        demux = new MediaPacketDemux(spec.Remote.VideoSsrc, spec.Remote.AudioSsrc);
        var rate = new SendRateController(new SendRateOptions
        {
            // The configured bitrate within the negotiated limits is both the start and the ceiling:
            // on a clean path the call looks as the user set it up; the controller only takes away.
            StartBitrate = send.BitrateKbps * 1000L,
            MaxBitrate = send.BitrateKbps * 1000L,
            Ladder = VideoRung.LadderWithin(send.Width, send.Height, send.FrameRate),
        });
        feedback = new RtcpSession(new RtcpSessionSsrcs(spec.Local.VideoSsrc, spec.Local.AudioSsrc, spec.Remote.VideoSsrc, spec.Remote.AudioSsrc), rate, Nack);

        encoding = new VideoEncodingFollower(send.BitrateKbps, send.BitrateKbps, rate.Rung);

        Receive<MediaPacketReceived>(Received);
        Receive<RtpSent>(sent => feedback.OnSent(sent.Stream, sent.RtpTimestamp, sent.Packets, sent.PayloadOctets, MediaClock.UtcNow));
        Receive<FeedbackTick>(_ =>
        {
            feedback.HandleTimeout(MediaClock.UtcNow);
            SendFeedback();
            UpdatePlayoutTargets();
        });
        Receive<GetMediaStats>(_ => Sender.Tell(Snapshot()));
        Receive<MediaCount>(Count);
        Receive<MediaDrop>(drop => stats.Drop(drop.Reason, drop.Amount));
        Receive<EncodedVideoFormat>(format => sentFormat = format);
        Receive<KeyframeNeeded>(_ =>
        {
            feedback.RequestKeyframe(MediaClock.UtcNow);
            SendFeedback();
        });
        Receive<MediaLatency>(latency =>
        {
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

    /// <param name="network">Receives a <see cref="SendMediaPacket"/> for every outgoing packet.</param>
    public static Props Props(MediaSessionSpec spec, MediaSettings settings, IActorRef network) =>
        Akka.Actor.Props.Create(() => new MediaSessionActor(spec, settings, network));

    /// <summary>A stage that throws is restarted (its ffmpeg and files are closed and reopened), at most three times a minute, then stopped.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(3, TimeSpan.FromMinutes(1), Decider.From(Directive.Restart));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("feedback", FeedbackTick.Instance, FeedbackInterval);
        StartVideoSending();
        StartAudioSending();
        StartVideoReceiving();
        StartAudioReceiving();
    }

    private void StartVideoSending()
    {
        var video = settings.Video;
        if (video.Source.Kind == VideoSourceKind.None) return;
        var sender = videoSender = Stage(VideoSenderActor.Stage, VideoSenderActor.Props(spec.Peer, spec.Local.VideoSsrc, network));
        var encoderSettings = VideoEncoderActor.SettingsFor(send, video.KeyframeInterval, encoding.Current);
        var encoder = videoEncoder = Stage(VideoEncoderActor.Stage, VideoEncoderActor.Props(encoderSettings, send.FrameRate, sender));
        var (source, format) = (video.Source, send);
        Stage("video-capture", CaptureActor<VideoFrame>.Props("video-capture", () =>
        {
            var opened = MediaDevices.OpenVideoSource(source, format, video);
            return new OpenedSource<VideoFrame>(opened.ReadFramesAsync, opened);
        }, encoder, MediaCounter.VideoFramesCaptured));
    }

    private void StartAudioSending()
    {
        var source = settings.Audio.Source;
        if (source.Kind == AudioSourceKind.None) return;
        var sender = Stage(AudioSenderActor.Stage, AudioSenderActor.Props(spec.Peer, spec.Local.AudioSsrc, network));
        var encoder = Stage(AudioEncoderActor.Stage, AudioEncoderActor.Props(sender));
        Stage("audio-capture", CaptureActor<AudioFrame>.Props("audio-capture", () =>
        {
            var opened = MediaDevices.OpenAudioSource(source);
            return new OpenedSource<AudioFrame>(opened.ReadFramesAsync, opened);
        }, encoder, MediaCounter.AudioFramesCaptured));
    }

    private void StartVideoReceiving()
    {
        var video = settings.Video;
        IActorRef decoder = ActorRefs.Nobody;
        if (video.DecodesReceived)
        {
            var (sink, record, width, height, frameRate) = (video.Out, video.Record, video.Width, video.Height, video.FrameRate);
            var render = Stage(VideoRenderActor.Stage, VideoRenderActor.Props(() => MediaDevices.OpenVideoSinks(sink, record, width, height, frameRate)));
            decoder = Stage(VideoDecoderActor.Stage, VideoDecoderActor.Props(width, height, render));
        }
        videoReceiver = Stage(VideoReceiverActor.Stage, VideoReceiverActor.Props(decoder));
    }

    private void StartAudioReceiving()
    {
        var (sink, record) = (settings.Audio.Out, settings.Audio.Record);
        var output = sink.Kind == AudioSinkKind.None && (record?.Kind ?? AudioSinkKind.None) == AudioSinkKind.None
            ? ActorRefs.Nobody
            : Stage(AudioOutActor.Stage, AudioOutActor.Props(() => MediaDevices.OpenAudioSinks(sink, record)));
        audioPlayout = Stage(AudioPlayoutActor.Stage, AudioPlayoutActor.Props(output));
    }

    private IActorRef Stage(string name, Props props)
    {
        var child = Context.ActorOf(props, name);
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
            videoSender.Tell(new RetransmitVideo(lost, feedback.Network.RoundTrip));
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

    private MediaStats Snapshot()
    {
        var now = MediaClock.UtcNow;
        var window = rates.Snapshot(now);
        var rung = feedback.Rate.Rung;
        return Counters() with
        {
            SendBitrate = window.SendBitrate,
            ReceiveBitrate = window.ReceiveBitrate,
            SentFrameRate = window.SendFrameRate,
            RenderedFrameRate = window.ReceiveFrameRate,
            LossFraction = feedback.LossFraction,
            RemoteLossFraction = feedback.RemoteLossFraction,
            RoundTrip = feedback.RoundTrip,
            VideoJitter = feedback.VideoJitter,
            VideoFrameJitter = feedback.VideoFrameJitter,
            AudioJitter = feedback.AudioJitter,
            VideoRepairWindow = holdLimit,
            DelayTrend = feedback.DelayTrend,
            QueueDelay = feedback.QueueDelay,
            RemoteDelayTrend = feedback.RemoteDelay?.Trend,
            RemoteQueueDelay = feedback.RemoteDelay?.QueueDelay,
            TargetBitrateKbps = (int)(feedback.Rate.TargetBitrate / 1000),
            EncoderBitrateKbps = encoding.Current.Kbps,
            EncoderReconfigurations = stats[MediaCounter.EncoderReconfigurations],
            RungWidth = rung.Width,
            RungHeight = rung.Height,
            RungFrameRate = rung.FrameRate,
            SentWidth = sentFormat?.Width ?? 0,
            SentHeight = sentFormat?.Height ?? 0,
            VideoPacketsRetransmitted = stats[MediaCounter.VideoPacketsRetransmitted],
            VideoPacketsNackedButGone = stats[MediaCounter.VideoPacketsNackedButGone],
            NacksSent = feedback.NacksSent,
            NacksReceived = feedback.NacksReceived,
            PlisSent = feedback.PlisSent,
            PlisReceived = feedback.PlisReceived,
            VideoKeyframesRequested = stats[MediaCounter.VideoKeyframesRequested],
            FreezeTime = freezes.Total(MediaClock.Now),
            Freezes = freezes.Freezes,
            GlassToGlassP50 = Milliseconds(window.GlassToGlassP50Ms),
            GlassToGlassP95 = Milliseconds(window.GlassToGlassP95Ms),
            AudioPlayoutDelay = audioDelay.Target,
            VideoPlayoutDelay = videoDelay.Target,
            AudioUnderruns = stats[MediaCounter.AudioUnderruns],
            AudioFramesDropped = stats[MediaCounter.AudioFramesDropped],
            AudioFramesStretched = stats[MediaCounter.AudioFramesStretched],
            AudioCaptureToPlayP50 = stats.AudioLatency.Percentile(50),
            AudioCaptureToPlayP95 = stats.AudioLatency.Percentile(95),
        };
    }

    private static TimeSpan? Milliseconds(double? ms) => ms is { } value ? TimeSpan.FromMilliseconds(value) : null;

    private MediaStats Counters() => new(
        spec.CallId, send.Width, send.Height, send.FrameRate, send.BitrateKbps,
        stats[MediaCounter.VideoFramesCaptured], stats[MediaCounter.VideoFramesEncoded], stats[MediaCounter.VideoKeyframesEncoded],
        stats[MediaCounter.VideoFramesSent], stats[MediaCounter.VideoPacketsSent],
        stats[MediaCounter.AudioFramesCaptured], stats[MediaCounter.AudioPacketsSent],
        stats[MediaCounter.PacketsSent], stats[MediaCounter.BytesSent], stats[MediaCounter.PacketsReceived], stats[MediaCounter.BytesReceived],
        stats[MediaCounter.VideoPacketsReceived], stats[MediaCounter.VideoPacketsLost],
        stats[MediaCounter.VideoFramesReceivedComplete], stats[MediaCounter.VideoFramesReceivedIncomplete], stats[MediaCounter.VideoNalUnitsDropped],
        stats[MediaCounter.VideoFramesDecoded], stats[MediaCounter.VideoFramesRendered],
        stats.Latency.Percentile(50), stats.Latency.Percentile(95),
        stats[MediaCounter.AudioPacketsReceived], stats[MediaCounter.AudioPacketsLost], stats[MediaCounter.AudioFramesDecoded],
        stats[MediaCounter.AudioFramesConcealed], stats[MediaCounter.AudioFramesRecovered], stats[MediaCounter.AudioFramesPlayed],
        stats[MediaCounter.EncoderRestarts], stats[MediaCounter.DecoderRestarts],
        stats.DropsByReason());
}
