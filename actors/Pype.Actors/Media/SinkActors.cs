using Akka.Actor;
using Pype.Core.Media;
using Pype.Media;
using Pype.Media.Audio;
using Pype.Media.Video;

namespace Pype.Actors.Media;

/// <summary>
/// A stage that ends in a sink: opens it when the stage starts, writes each item to it and
/// reports what was written. A sink that cannot be opened or breaks (a window closed, a device
/// gone) is reported and the stage stops; stopping closes the sink, so files are complete.
/// A stage started <c>closed</c> (its call still rings) opens its sink on <see cref="MediaFlowing"/>:
/// no window, speaker or recording before the call is answered.
/// </summary>
internal abstract class SinkStageActor<TSink, TItem> : ReceiveActor
    where TSink : class, IAsyncDisposable
{
    private readonly string stage;
    private readonly Func<TSink> open;
    private readonly bool openAtStart;
    private TSink? sink;

    protected SinkStageActor(string stage, Func<TSink> open, bool closed)
    {
        this.stage = stage;
        this.open = open;
        openAtStart = !closed;
        Receive<MediaFlowing>(_ =>
        {
            if (sink is null) Open();
        });
        ReceiveAsync<TItem>(async item =>
        {
            if (sink is null) return;
            try
            {
                await WriteAsync(sink, item);
            }
            catch (Exception error) when (error is IOException or Pype.Media.Processes.MediaDeviceException)
            {
                MediaStage.Fail(Context, stage, MediaStage.Describe(error));
                return;
            }
            Written(item);
        });
    }

    protected abstract ValueTask WriteAsync(TSink sink, TItem item);

    /// <summary>Counts and latency for an item that reached the sink.</summary>
    protected abstract void Written(TItem item);

    protected override void PreStart()
    {
        if (openAtStart) Open();
    }

    private void Open()
    {
        try
        {
            sink = open();
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, stage, MediaStage.Describe(error));
        }
    }

    protected override void PostStop() => MediaStage.Close(sink is null ? null : sink.DisposeAsync);
}

/// <summary>The video render stage: each decoded picture to its sink (window, terminal, y4m file), with capture-to-render latency.</summary>
internal sealed class VideoRenderActor(Func<IVideoSink> open, bool closed) : SinkStageActor<IVideoSink, DecodedVideoFrame>(Stage, open, closed)
{
    public const string Stage = "video-render";

    public static Props Props(Func<IVideoSink> open, bool closed = false) => Akka.Actor.Props.Create(() => new VideoRenderActor(open, closed));

    protected override ValueTask WriteAsync(IVideoSink sink, DecodedVideoFrame decoded) => sink.RenderAsync(decoded.Frame);

    protected override void Written(DecodedVideoFrame decoded)
    {
        Context.Parent.Tell(new MediaCount(MediaCounter.VideoFramesRendered));
        Context.Parent.Tell(new MediaLatency(MediaClock.Now - decoded.Frame.CaptureTime));
    }
}

/// <summary>
/// The audio out stage: plays or writes each decoded frame, with capture-to-play latency for
/// frames decoded from their own packet. Stopping closes a wav file with its sizes filled in.
/// </summary>
internal sealed class AudioOutActor(Func<IAudioSink> open, bool closed) : SinkStageActor<IAudioSink, AudioToPlay>(Stage, open, closed)
{
    public const string Stage = "audio-out";

    public static Props Props(Func<IAudioSink> open, bool closed = false) => Akka.Actor.Props.Create(() => new AudioOutActor(open, closed));

    protected override ValueTask WriteAsync(IAudioSink sink, AudioToPlay play) => sink.PlayAsync(play.Frame);

    protected override void Written(AudioToPlay play)
    {
        Context.Parent.Tell(new MediaCount(MediaCounter.AudioFramesPlayed));
        if (play.Measured) Context.Parent.Tell(new MediaAudioLatency(MediaClock.Now - play.Frame.CaptureTime));
    }
}
