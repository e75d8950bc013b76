using Akka.Actor;
using Pype.Core.Media;
using Pype.Media;
using Pype.Media.Audio;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// The video render stage: writes each decoded picture to its sink (window, terminal, y4m file)
/// and reports capture-to-render latency. A sink that cannot be opened or breaks (the window was
/// closed) is reported and this stage stops. Stopping closes the sink, so a y4m file is complete.
/// </summary>
internal sealed class VideoRenderActor : ReceiveActor
{
    public const string Stage = "video-render";

    private readonly Func<IVideoSink> open;
    private IVideoSink? sink;

    public VideoRenderActor(Func<IVideoSink> open)
    {
        this.open = open;
        ReceiveAsync<DecodedVideoFrame>(async decoded =>
        {
            if (sink is null) return;
            try
            {
                await sink.RenderAsync(decoded.Frame);
            }
            catch (Exception error) when (error is IOException or Pype.Media.Processes.MediaDeviceException)
            {
                MediaStage.Fail(Context, Stage, MediaStage.Describe(error));
                return;
            }
            Context.Parent.Tell(new MediaCount(MediaCounter.VideoFramesRendered));
            Context.Parent.Tell(new MediaLatency(MediaClock.Now - decoded.Frame.CaptureTime));
        });
    }

    public static Props Props(Func<IVideoSink> open) => Akka.Actor.Props.Create(() => new VideoRenderActor(open));

    protected override void PreStart()
    {
        try
        {
            sink = open();
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, Stage, MediaStage.Describe(error));
        }
    }

    protected override void PostStop() => MediaStage.Close(sink is null ? null : sink.DisposeAsync);
}

/// <summary>
/// The audio out stage: plays or writes each decoded frame and reports capture-to-play latency for
/// frames decoded from their own packet. Stopping closes a wav file with its sizes filled in.
/// </summary>
internal sealed class AudioOutActor : ReceiveActor
{
    public const string Stage = "audio-out";

    private readonly Func<IAudioSink> open;
    private IAudioSink? sink;

    public AudioOutActor(Func<IAudioSink> open)
    {
        this.open = open;
        ReceiveAsync<AudioToPlay>(async play =>
        {
            if (sink is null) return;
            try
            {
                await sink.PlayAsync(play.Frame);
            }
            catch (Exception error) when (error is IOException or Pype.Media.Processes.MediaDeviceException)
            {
                MediaStage.Fail(Context, Stage, MediaStage.Describe(error));
                return;
            }
            Context.Parent.Tell(new MediaCount(MediaCounter.AudioFramesPlayed));
            if (play.Measured) Context.Parent.Tell(new MediaAudioLatency(MediaClock.Now - play.Frame.CaptureTime));
        });
    }

    public static Props Props(Func<IAudioSink> open) => Akka.Actor.Props.Create(() => new AudioOutActor(open));

    protected override void PreStart()
    {
        try
        {
            sink = open();
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, Stage, MediaStage.Describe(error));
        }
    }

    protected override void PostStop() => MediaStage.Close(sink is null ? null : sink.DisposeAsync);
}
