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
/// </summary>
internal sealed class VideoEncoderActor : ReceiveActor, IWithTimers
{
    /// <summary>ffmpeg takes 180–350 ms to start (MEDIA-NOTES); frames sent to it sooner would wait.</summary>
    private static readonly TimeSpan StandbyWarmUp = TimeSpan.FromMilliseconds(400);

    public const string Stage = "video-encoder";
    private const int MaxFramesInFlight = 4;

    private readonly H264EncoderSettings settings;
    private readonly IActorRef sender;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private H264Encoder? encoder;
    private Task? pump;
    private int framesInFlight;
    private int restarts;

    public VideoEncoderActor(H264EncoderSettings settings, IActorRef sender)
    {
        (this.settings, this.sender) = (settings, sender);
        Receive<VideoFrame>(Encode);
        Receive<MediaProcessDied>(Died);
        Receive<RequestKeyframe>(_ =>
        {
            // The warm standby takes the next frame, so the IDR costs no start-up delay.
            encoder?.RequestKeyframe();
            Context.Parent.Tell(new MediaCount(MediaCounter.VideoKeyframesRequested));
        });
        Receive<SetVideoBitrate>(set =>
        {
            if (encoder is null || encoder.Settings.BitrateKbps == set.Kbps) return;
            encoder.Reconfigure(encoder.Settings with { BitrateKbps = set.Kbps });
            Timers.StartSingleTimer(nameof(SwitchEncoder), SwitchEncoder.Instance, StandbyWarmUp);
        });
        Receive<SwitchEncoder>(_ =>
        {
            encoder?.RequestKeyframe();
            Context.Parent.Tell(new MediaCount(MediaCounter.EncoderReconfigurations));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(H264EncoderSettings settings, IActorRef sender) => Akka.Actor.Props.Create(() => new VideoEncoderActor(settings, sender));

    protected override void PreStart()
    {
        var (self, session) = (Self, Context.Parent);
        encoder = new H264Encoder(settings);
        encoder.Died += exit => self.Tell(new MediaProcessDied(0, exit));
        try
        {
            encoder.Start();
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, Stage, $"the H.264 encoder could not start: {MediaStage.Describe(error)}");
            return;
        }
        var reader = encoder.AccessUnits;
        pump = Task.Run(async () =>
        {
            await foreach (var unit in reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (Interlocked.Decrement(ref framesInFlight) < 0) Interlocked.Exchange(ref framesInFlight, 0);
                sender.Tell(unit);
                session.Tell(new MediaCount(MediaCounter.VideoFramesEncoded));
                if (unit.IsKeyframe) session.Tell(new MediaCount(MediaCounter.VideoKeyframesEncoded));
            }
        });
    }

    private void Encode(VideoFrame frame)
    {
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
