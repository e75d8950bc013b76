using Akka.Actor;
using Akka.Event;
using Pype.Core.Diagnostics;
using Pype.Core.Media;
using Pype.Media;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// The H.264 encoder stage: one <see cref="H264Encoder"/> (long-lived ffmpeg with a warm standby).
/// Frames go in as they arrive, through an <see cref="EncoderIntake"/> (thinned to the frame rate
/// of the process in use, dropped when <see cref="MaxFramesInFlight"/> are already inside);
/// access units go to the sender from a background reader as soon as each is cut. When the size
/// or frame rate of what comes out changes, the session hears it (<see cref="EncodedVideoFormat"/>).
/// A keyframe request or a new rung (<see cref="SetVideoEncoding"/>) switches to the standby when
/// the <see cref="EncoderSwitch"/> says: once it is primed, or after
/// <see cref="H264Encoder.StandbyReadyLimit"/>. The switch is an IDR; a smaller size is scaled
/// down inside that ffmpeg.
/// <para>
/// Supervision: an ffmpeg that dies is this actor's to restart (on the standby; its next frame is
/// a keyframe), up to <see cref="MediaStage.MaxProcessRestarts"/> times; then, as when ffmpeg cannot
/// start, it reports a <see cref="StageFailed"/> and stops itself, and the call goes on without
/// video. If the actor itself throws, the <see cref="MediaSessionActor"/> restarts it (at most
/// three times a minute, then stops it and reports the stage): PostStop closes the encoder and a
/// fresh one starts with the settings the stage was created with, not the rung it had reached,
/// until the session next changes the encoding.
/// </para>
/// </summary>
internal sealed class VideoEncoderActor : ReceiveActor, IWithTimers
{
    public const string Stage = "video-encoder";
    private const int MaxFramesInFlight = 4;

    private readonly int sourceFrameRate;
    private readonly IActorRef sender;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly EncoderIntake intake = new(MaxFramesInFlight, MediaStage.MaxProcessRestarts);
    private readonly EncoderSwitch switcher = new(H264Encoder.StandbyReadyLimit);
    private readonly bool warmUp;
    private readonly H264Encoder encoder;
    private Task? pump;

    public VideoEncoderActor(H264EncoderSettings settings, int sourceFrameRate, IActorRef sender, bool warmUp)
    {
        (encoder, this.sourceFrameRate, this.sender, this.warmUp) = (new H264Encoder(settings), sourceFrameRate, sender, warmUp);
        Receive<VideoFrame>(Encode);
        Receive<MediaProcessDied>(Died);
        Receive<RequestKeyframe>(_ =>
        {
            Context.Parent.Tell(new MediaCount(MediaCounter.VideoKeyframesRequested));
            Apply(switcher.KeyframeWanted(MediaClock.Now, encoder.IsStandbyReady));
        });
        Receive<SetVideoEncoding>(set =>
        {
            if (encoder.Settings == set.Settings) return;
            encoder.Reconfigure(set.Settings);
            Apply(switcher.Reconfigured(MediaClock.Now, encoder.IsStandbyReady));
        });
        Receive<CheckEncoderSwitch>(_ => Apply(switcher.Check(MediaClock.Now, encoder.IsStandbyReady)));
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
        encoder.Died += exit => self.Tell(new MediaProcessDied(0, exit));
        encoder.StandbyReady += () => self.Tell(CheckEncoderSwitch.Instance);
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
            await foreach (var unit in reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (intake.Encoded(unit.Width, unit.Height, unit.FrameRate))
                    session.Tell(new EncodedVideoFormat(unit.Width, unit.Height, unit.FrameRate));
                sender.Tell(unit);
                session.Tell(new MediaCount(MediaCounter.VideoFramesEncoded));
                if (unit.IsKeyframe) session.Tell(new MediaCount(MediaCounter.VideoKeyframesEncoded));
            }
        });
    }

    private void Apply(EncoderSwitchStep step)
    {
        if (step.WaitFor is { } wait) Timers.StartSingleTimer(nameof(CheckEncoderSwitch), CheckEncoderSwitch.Instance, wait);
        if (!step.SwitchNow) return;
        Timers.Cancel(nameof(CheckEncoderSwitch));
        encoder.RequestKeyframe();
        if (step.IsReconfiguration) Context.Parent.Tell(new MediaCount(MediaCounter.EncoderReconfigurations));
    }

    private void Encode(VideoFrame frame)
    {
        var drop = intake.Admit(frame.CaptureTime, encoder.ActiveSettings.FrameRate, sourceFrameRate);
        if (drop is null && !encoder.Encode(frame)) drop = intake.Refused();
        if (drop is { } reason) Context.Parent.Tell(new MediaDrop(DropNames.Kebab(reason)));
    }

    private void Died(MediaProcessDied died)
    {
        Context.Parent.Tell(new MediaCount(MediaCounter.EncoderRestarts));
        if (!intake.Died())
        {
            MediaStage.Fail(Context, Stage, $"the H.264 encoder died {intake.Restarts} times; video is no longer sent ({died.Exit})");
            return;
        }
        log.Warning("{0}; restarting it", died.Exit);
        encoder.Restart();
    }

    protected override void PostStop()
    {
        MediaStage.Close(encoder.DisposeAsync);
        MediaStage.Wait(pump);
    }
}
