using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Core.Media;
using Pype.Media;

namespace Pype.Actors.Media;

/// <summary>
/// The stage actors of one call's media, children of its <see cref="MediaSessionActor"/>, started
/// as the session's <see cref="MediaStagePlan"/> says:
/// <code>
/// video-capture → video-encoder → video-sender → network
/// audio-capture → audio-encoder → audio-sender → network
/// (session) → video-receiver → video-decoder → video-render
///           → audio-playout → audio-out
/// </code>
/// Started held (the call still rings), capture throws its frames away, the encoder and decoder
/// set themselves up on a warm-up keyframe, and the outputs stay closed until <see cref="ReleaseHeld"/>.
/// Every stage is watched, so the session hears when one stopped for good.
/// </summary>
internal sealed class MediaStageTree(IActorContext context, MediaSessionSpec spec, MediaSettings settings, IActorRef network)
{
    private readonly Dictionary<IActorRef, string> names = [];
    private readonly List<IActorRef> held = [];
    private readonly List<IActorRef> videoSending = [];
    private int videoSendingGeneration;

    public IActorRef VideoSender { get; private set; } = ActorRefs.Nobody;
    public IActorRef VideoEncoder { get; private set; } = ActorRefs.Nobody;
    public IActorRef VideoDecoder { get; private set; } = ActorRefs.Nobody;
    public IActorRef VideoReceiver { get; private set; } = ActorRefs.Nobody;
    public IActorRef AudioPlayout { get; private set; } = ActorRefs.Nobody;

    /// <summary>
    /// The stages <paramref name="settings"/> ask for. Without ffmpeg (<paramref name="withFfmpeg"/>
    /// false) only those that need none: no video sending or decoding, and audio sent only from
    /// PortAudio (a tone, file or ffmpeg device is read through ffmpeg); Opus, playout and wav out remain.
    /// </summary>
    public static MediaStagePlan PlanFor(MediaSettings settings, bool withFfmpeg)
    {
        var plan = MediaStagePlan.For(
            settings.Video.Source.Kind, settings.Video.DecodesReceived, settings.Audio.Source.Kind,
            settings.Audio.Out.Kind != AudioSinkKind.None || (settings.Audio.Record?.Kind ?? AudioSinkKind.None) != AudioSinkKind.None);
        return withFfmpeg ? plan : plan with
        {
            SendsVideo = false,
            DecodesVideo = false,
            SendsAudio = plan.SendsAudio && settings.Audio.Source.Kind == AudioSourceKind.PortAudio,
        };
    }

    public void Start(MediaStagePlan plan, VideoSendFormat send, VideoEncoding encoding, bool held)
    {
        if (plan.SendsVideo) StartVideoSending(send, encoding, held);
        if (plan.SendsAudio) StartAudioSending(held);
        StartVideoReceiving(plan.DecodesVideo, held);
        StartAudioReceiving(plan.PlaysAudio, held);
    }

    /// <summary>The call was answered: held capture lets frames through, held outputs open.</summary>
    public void ReleaseHeld()
    {
        foreach (var stage in held) stage.Tell(MediaFlowing.Instance);
        held.Clear();
    }

    /// <summary>Stops the video sending stages and starts them again, not held, at a newly negotiated format.</summary>
    public void RestartVideoSending(VideoSendFormat send, VideoEncoding encoding)
    {
        foreach (var stage in videoSending)
        {
            held.Remove(stage);
            names.Remove(stage);
            context.Stop(stage);
        }
        videoSending.Clear();
        StartVideoSending(send, encoding, held: false);
    }

    /// <summary>The name of a watched stage that stopped, or null for one stopped on purpose.</summary>
    public string? Forget(IActorRef stopped) => names.Remove(stopped, out var name) ? name : null;

    private void StartVideoSending(VideoSendFormat send, VideoEncoding encoding, bool held)
    {
        var video = settings.Video;
        // A restart at the answer needs names the stopping stages do not hold.
        var suffix = videoSendingGeneration++ == 0 ? "" : $"-{videoSendingGeneration}";
        var sender = VideoSender = Stage(VideoSenderActor.Stage, VideoSenderActor.Props(spec.Peer, spec.Local.VideoSsrc, network), suffix);
        var encoderSettings = VideoEncoderActor.SettingsFor(send, video.KeyframeInterval, encoding);
        var encoder = VideoEncoder = Stage(VideoEncoderActor.Stage, VideoEncoderActor.Props(encoderSettings, send.FrameRate, sender, warmUp: held), suffix);
        var capture = Stage("video-capture", CaptureActor<VideoFrame>.Props("video-capture", () =>
        {
            var opened = MediaDevices.OpenVideoSource(video.Source, send, video);
            return new OpenedSource<VideoFrame>(opened.ReadFramesAsync, opened);
        }, encoder, MediaCounter.VideoFramesCaptured, held), suffix);
        videoSending.AddRange([sender, encoder, capture]);
        if (held) this.held.Add(capture);
    }

    private void StartAudioSending(bool held)
    {
        var source = settings.Audio.Source;
        var sender = Stage(AudioSenderActor.Stage, AudioSenderActor.Props(spec.Peer, spec.Local.AudioSsrc, network));
        var encoder = Stage(AudioEncoderActor.Stage, AudioEncoderActor.Props(sender));
        var capture = Stage("audio-capture", CaptureActor<AudioFrame>.Props("audio-capture", () =>
        {
            var opened = MediaDevices.OpenAudioSource(source);
            return new OpenedSource<AudioFrame>(opened.ReadFramesAsync, opened);
        }, encoder, MediaCounter.AudioFramesCaptured, held));
        if (held) this.held.Add(capture);
    }

    private void StartVideoReceiving(bool decodes, bool held)
    {
        var video = settings.Video;
        IActorRef decoder = ActorRefs.Nobody;
        if (decodes)
        {
            var (sink, record, width, height, frameRate) = (video.Out, video.Record, video.Width, video.Height, video.FrameRate);
            var render = Stage(VideoRenderActor.Stage, VideoRenderActor.Props(() => MediaDevices.OpenVideoSinks(sink, record, width, height, frameRate), closed: held));
            if (held) this.held.Add(render);
            decoder = VideoDecoder = Stage(VideoDecoderActor.Stage, VideoDecoderActor.Props(width, height, render));
        }
        VideoReceiver = Stage(VideoReceiverActor.Stage, VideoReceiverActor.Props(decoder));
    }

    private void StartAudioReceiving(bool plays, bool held)
    {
        var (sink, record) = (settings.Audio.Out, settings.Audio.Record);
        var output = plays ? Stage(AudioOutActor.Stage, AudioOutActor.Props(() => MediaDevices.OpenAudioSinks(sink, record), closed: held)) : ActorRefs.Nobody;
        if (held && plays) this.held.Add(output);
        AudioPlayout = Stage(AudioPlayoutActor.Stage, AudioPlayoutActor.Props(output));
    }

    private IActorRef Stage(string name, Props props, string actorNameSuffix = "")
    {
        var child = context.ActorOf(props, name + actorNameSuffix);
        context.Watch(child);
        names[child] = name;
        return child;
    }
}
