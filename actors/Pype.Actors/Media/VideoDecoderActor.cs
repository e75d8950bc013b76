using Akka.Actor;
using Akka.Event;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Media;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// The H.264 decoder stage: one <see cref="H264Decoder"/> (long-lived ffmpeg, low-delay flags),
/// pictures out at the configured W×H straight to the renderer from a background reader.
/// <see cref="DecodeGate"/> keeps damaged frames out: an incomplete frame is never decoded, and
/// after one, or after a restart, nothing is decoded until the next keyframe, which the session
/// asks the sender for (<see cref="KeyframeNeeded"/> → PLI) as soon as a frame has to wait. An ffmpeg that dies
/// is replaced by a new one (a new process generation; the old one's late news is ignored).
/// </summary>
internal sealed class VideoDecoderActor : ReceiveActor
{
    public const string Stage = "video-decoder";

    private readonly int width;
    private readonly int height;
    private readonly IActorRef render;
    private readonly DecodeGate gate = new();
    private readonly ILoggingAdapter log = Context.GetLogger();
    private H264Decoder? decoder;
    private Task? pump;
    private int generation;
    private int restarts;
    private long index;

    public VideoDecoderActor(int width, int height, IActorRef render)
    {
        (this.width, this.height, this.render) = (width, height, render);
        Receive<DepacketizedAccessUnit>(Decode);
        Receive<WarmUpKeyframe>(warm => { decoder?.WarmUp(warm.Unit); });
        Receive<MediaProcessDied>(Died);
    }

    public static Props Props(int width, int height, IActorRef render) => Akka.Actor.Props.Create(() => new VideoDecoderActor(width, height, render));

    protected override void PreStart() => StartDecoder();

    private void StartDecoder()
    {
        var (self, session, thisGeneration) = (Self, Context.Parent, ++generation);
        var fresh = new H264Decoder(width, height);
        fresh.Died += exit => self.Tell(new MediaProcessDied(thisGeneration, exit));
        try
        {
            fresh.Start();
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, Stage, $"the H.264 decoder could not start: {MediaStage.Describe(error)}");
            return;
        }
        decoder = fresh;
        var frames = fresh.Frames;
        pump = Task.Run(async () =>
        {
            await foreach (var frame in frames.ReadAllAsync().ConfigureAwait(false))
            {
                render.Tell(frame);
                session.Tell(new MediaCount(MediaCounter.VideoFramesDecoded));
            }
        });
    }

    private void Decode(DepacketizedAccessUnit frame)
    {
        switch (gate.Admit(frame.RtpTimestamp, frame.IsComplete, frame.IsKeyframe))
        {
            case DecodeDecision.DropIncomplete:
                Context.Parent.Tell(new MediaDrop("incomplete-frame"));
                Context.Parent.Tell(KeyframeNeeded.Instance);
                return;
            case DecodeDecision.DropAwaitingKeyframe:
                Context.Parent.Tell(new MediaDrop("awaiting-keyframe"));
                Context.Parent.Tell(KeyframeNeeded.Instance);
                return;
        }
        var captureTime = frame.CaptureTimeMicroseconds is { } micros ? MediaClock.FromUnixMicroseconds(micros) : MediaClock.Now;
        var unit = new EncodedAccessUnit(index++, captureTime, frame.AccessUnit.ToAnnexB(), frame.IsKeyframe, TimeSpan.Zero);
        if (decoder?.Decode(unit) != true) Context.Parent.Tell(new MediaDrop("decoder-not-running"));
    }

    private void Died(MediaProcessDied died)
    {
        if (died.Generation != generation) return;
        restarts++;
        Context.Parent.Tell(new MediaCount(MediaCounter.DecoderRestarts));
        var dead = decoder;
        decoder = null;
        MediaStage.Close(dead is null ? null : dead.DisposeAsync);
        if (restarts > MediaStage.MaxProcessRestarts)
        {
            MediaStage.Fail(Context, Stage, $"the H.264 decoder died {restarts} times; received video is no longer shown ({died.Exit})");
            return;
        }
        log.Warning("{0}; restarting it, video resumes at the next keyframe", died.Exit);
        gate.DecoderRestarted();
        StartDecoder();
    }

    protected override void PostStop()
    {
        MediaStage.Close(decoder is null ? null : decoder.DisposeAsync);
        MediaStage.Wait(pump);
    }
}
