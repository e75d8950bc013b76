using Akka.Actor;
using Akka.Event;
using Pype.Actors.Configuration;
using Pype.Core.Media;
using Pype.Core.Rtp;
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
/// </summary>
public sealed class MediaSessionActor : ReceiveActor
{
    private readonly MediaSessionSpec spec;
    private readonly MediaSettings settings;
    private readonly IActorRef network;
    private readonly VideoSendFormat send;
    private readonly MediaPacketDemux demux;
    private readonly MediaStatsAccumulator stats = new();
    private readonly Dictionary<IActorRef, string> stages = [];
    private readonly HashSet<string> reported = [];
    private readonly ILoggingAdapter log = Context.GetLogger();
    private IActorRef videoReceiver = ActorRefs.Nobody;
    private IActorRef audioReceiver = ActorRefs.Nobody;

    public MediaSessionActor(MediaSessionSpec spec, MediaSettings settings, IActorRef network)
    {
        (this.spec, this.settings, this.network) = (spec, settings, network);
        var video = settings.Video;
        send = VideoSendFormat.Within(video.Width, video.Height, video.FrameRate, video.BitrateKbps, spec.Local.Limits.Intersect(spec.Remote.Limits));
        demux = new MediaPacketDemux(spec.Remote.VideoSsrc, spec.Remote.AudioSsrc);

        Receive<MediaPacketReceived>(Received);
        Receive<GetMediaStats>(_ => Sender.Tell(Snapshot()));
        Receive<MediaCount>(count => stats.Add(count.Counter, count.Amount));
        Receive<MediaDrop>(drop => stats.Drop(drop.Reason, drop.Amount));
        Receive<MediaLatency>(latency => stats.Latency.Add(latency.CaptureToRender));
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

    protected override void PreStart()
    {
        StartVideoSending();
        StartAudioSending();
        StartVideoReceiving();
        StartAudioReceiving();
    }

    private void StartVideoSending()
    {
        var video = settings.Video;
        if (video.Source.Kind == VideoSourceKind.None) return;
        var sender = Stage(VideoSenderActor.Stage, VideoSenderActor.Props(spec.Peer, spec.Local.VideoSsrc, network));
        var encoderSettings = new H264EncoderSettings(send.Width, send.Height, send.FrameRate, send.BitrateKbps, send.KeyframeIntervalFrames(video.KeyframeInterval));
        var encoder = Stage(VideoEncoderActor.Stage, VideoEncoderActor.Props(encoderSettings, sender));
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
        var decoder = Stage(AudioDecoderActor.Stage, AudioDecoderActor.Props(output));
        audioReceiver = Stage(AudioReceiverActor.Stage, AudioReceiverActor.Props(decoder));
    }

    private IActorRef Stage(string name, Props props)
    {
        var child = Context.ActorOf(props, name);
        Context.Watch(child);
        stages[child] = name;
        return child;
    }

    private void Received(MediaPacketReceived received)
    {
        stats.Add(MediaCounter.PacketsReceived);
        stats.Add(MediaCounter.BytesReceived, received.Payload.Length);
        var packet = demux.Demux(received.Payload);
        if (packet.Packet is null)
        {
            stats.Drop(DropName(packet.Drop));
            return;
        }
        if (packet.Stream == MediaStreamKind.Video)
        {
            stats.Add(MediaCounter.VideoPacketsReceived);
            videoReceiver.Tell(new ReceivedRtp(packet.Packet));
        }
        else
        {
            audioReceiver.Tell(new ReceivedRtp(packet.Packet));
        }
    }

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

    private MediaStats Snapshot() => new(
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
