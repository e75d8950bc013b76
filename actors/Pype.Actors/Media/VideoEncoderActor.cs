using Akka.Actor;
using Akka.Event;
using Pype.Core.Media;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// The H.264 encoder stage: one <see cref="H264Encoder"/> (long-lived ffmpeg with a warm standby).
/// Frames go in as they arrive; access units go to the sender from a background reader as soon as
/// each is cut. When more than <see cref="MaxFramesInFlight"/> frames are waiting (ffmpeg starting,
/// or a busy machine) new frames are dropped rather than queued, since a queue is only latency.
/// An ffmpeg that dies is restarted on the standby; its next frame is a keyframe.
/// <para>
/// A keyframe request or a new rung (<see cref="SetVideoEncoding"/>: bitrate, frame rate or encoded
/// size, for which a standby with those settings is started) switches to the standby once it is
/// primed (<see cref="H264Encoder.IsStandbyReady"/>), at most <see cref="H264Encoder.StandbyReadyLimit"/>
/// later: frames sent to an ffmpeg still starting would stall the picture. The switch is an IDR; a
/// smaller size is scaled down inside that ffmpeg. Frames are thinned by a <see cref="FrameDecimator"/> to the frame rate
/// of the process in use, so x264's per-frame budget always matches the frames it gets. When the
/// size or frame rate of what comes out changes, the session hears it (<see cref="EncodedVideoFormat"/>).
/// </para>
/// </summary>
internal sealed class VideoEncoderActor : ReceiveActor, IWithTimers
{
    public const string Stage = "video-encoder";
    private const int MaxFramesInFlight = 4;

    private readonly H264EncoderSettings settings;
    private readonly int sourceFrameRate;
    private readonly IActorRef sender;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly FrameDecimator decimator = new();
    private readonly bool warmUp;
    private H264Encoder? encoder;
    private Task? pump;
    private int framesInFlight;
    private int restarts;
    /// <summary>A switch to the standby waits for it to be ready; true when it also brings new settings.</summary>
    private bool? pendingSwitch;

    public VideoEncoderActor(H264EncoderSettings settings, int sourceFrameRate, IActorRef sender, bool warmUp)
    {
        (this.settings, this.sourceFrameRate, this.sender, this.warmUp) = (settings, sourceFrameRate, sender, warmUp);
        Receive<VideoFrame>(Encode);
        Receive<MediaProcessDied>(Died);
        Receive<RequestKeyframe>(_ =>
        {
            Context.Parent.Tell(new MediaCount(MediaCounter.VideoKeyframesRequested));
            // A switch already waiting brings a keyframe anyway.
            if (encoder is not null && pendingSwitch is null) SwitchWhenReady(isReconfiguration: false);
        });
        Receive<SetVideoEncoding>(set =>
        {
            if (encoder is null || encoder.Settings == set.Settings) return;
            encoder.Reconfigure(set.Settings);
            SwitchWhenReady(isReconfiguration: true);
        });
        Receive<StandbyReady>(_ =>
        {
            if (pendingSwitch is not null && encoder is { IsStandbyReady: true }) Switch();
        });
        // The standby took too long to be ready: a keyframe from a process still starting beats none.
        Receive<SwitchEncoder>(_ =>
        {
            if (pendingSwitch is not null) Switch();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="sourceFrameRate">The rate frames are captured at; frames are thinned only below it.</param>
    /// <param name="warmUp">Encode a throw-away frame at start (<see cref="H264Encoder.Start(bool)"/>): for a call still ringing.</param>
    public static Props Props(H264EncoderSettings settings, int sourceFrameRate, IActorRef sender, bool warmUp = false) =>
        Akka.Actor.Props.Create(() => new VideoEncoderActor(settings, sourceFrameRate, sender, warmUp));

    /// <summary>
    /// The encoder settings for frames captured at the call's send format, encoded as
    /// <paramref name="encoding"/> says: its size (scaled down from the send format), frame rate and
    /// bitrate, with the keyframe interval counted in frames at that frame rate.
    /// </summary>
    public static H264EncoderSettings SettingsFor(VideoSendFormat send, TimeSpan keyframeInterval, VideoEncoding encoding) =>
        new(send.Width, send.Height, encoding.FrameRate, encoding.Kbps, (send with { FrameRate = encoding.FrameRate }).KeyframeIntervalFrames(keyframeInterval))
        {
            EncodedSize = (encoding.Width, encoding.Height),
        };

    protected override void PreStart()
    {
        var (self, session) = (Self, Context.Parent);
        encoder = new H264Encoder(settings);
        encoder.Died += exit => self.Tell(new MediaProcessDied(0, exit));
        encoder.StandbyReady += () => self.Tell(StandbyReady.Instance);
        try
        {
            encoder.Start(warmUp);
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, Stage, $"the H.264 encoder could not start: {MediaStage.Describe(error)}");
            return;
        }
        if (warmUp)
            encoder.WarmUpAccessUnit.ContinueWith(t =>
            {
                if (t.Result is { } unit) session.Tell(new WarmUpKeyframe(unit));
            }, TaskScheduler.Default);
        var reader = encoder.AccessUnits;
        pump = Task.Run(async () =>
        {
            (int, int, int) format = default;
            await foreach (var unit in reader.ReadAllAsync().ConfigureAwait(false))
            {
                if ((unit.Width, unit.Height, unit.FrameRate) != format)
                {
                    format = (unit.Width, unit.Height, unit.FrameRate);
                    session.Tell(new EncodedVideoFormat(unit.Width, unit.Height, unit.FrameRate));
                }
                if (Interlocked.Decrement(ref framesInFlight) < 0) Interlocked.Exchange(ref framesInFlight, 0);
                sender.Tell(unit);
                session.Tell(new MediaCount(MediaCounter.VideoFramesEncoded));
                if (unit.IsKeyframe) session.Tell(new MediaCount(MediaCounter.VideoKeyframesEncoded));
            }
        });
    }

    private void SwitchWhenReady(bool isReconfiguration)
    {
        pendingSwitch = (pendingSwitch ?? false) | isReconfiguration;
        if (encoder is { IsStandbyReady: true }) Switch();
        else if (!Timers.IsTimerActive(nameof(SwitchEncoder))) Timers.StartSingleTimer(nameof(SwitchEncoder), SwitchEncoder.Instance, H264Encoder.StandbyReadyLimit);
    }

    private void Switch()
    {
        Timers.Cancel(nameof(SwitchEncoder));
        var isReconfiguration = pendingSwitch == true;
        pendingSwitch = null;
        encoder?.RequestKeyframe();
        if (isReconfiguration) Context.Parent.Tell(new MediaCount(MediaCounter.EncoderReconfigurations));
    }

    private void Encode(VideoFrame frame)
    {
        if (encoder is not null && !decimator.Admit(frame.CaptureTime, encoder.ActiveSettings.FrameRate, sourceFrameRate))
        {
            Context.Parent.Tell(new MediaDrop("frame-rate-rung"));
            return;
        }
        if (Volatile.Read(ref framesInFlight) >= MaxFramesInFlight)
        {
            Context.Parent.Tell(new MediaDrop("encoder-backlog"));
            return;
        }
        Interlocked.Increment(ref framesInFlight);
        if (encoder?.Encode(frame) != true)
        {
            Interlocked.Decrement(ref framesInFlight);
            Context.Parent.Tell(new MediaDrop("encoder-not-running"));
        }
    }

    private void Died(MediaProcessDied died)
    {
        restarts++;
        Context.Parent.Tell(new MediaCount(MediaCounter.EncoderRestarts));
        if (restarts > MediaStage.MaxProcessRestarts)
        {
            MediaStage.Fail(Context, Stage, $"the H.264 encoder died {restarts} times; video is no longer sent ({died.Exit})");
            return;
        }
        log.Warning("{0}; restarting it", died.Exit);
        // Frames the dead process held never come back as access units.
        Interlocked.Exchange(ref framesInFlight, 0);
        encoder?.Restart();
    }

    protected override void PostStop()
    {
        MediaStage.Close(encoder is null ? null : encoder.DisposeAsync);
        MediaStage.Wait(pump);
    }
}
