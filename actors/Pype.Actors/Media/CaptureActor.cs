using Akka.Actor;
using Pype.Core.Media;

namespace Pype.Actors.Media;

/// <summary>An opened source: how to read its frames and how to close it.</summary>
internal sealed record OpenedSource<TFrame>(Func<CancellationToken, IAsyncEnumerable<TFrame>> Read, IAsyncDisposable Source);

/// <summary>
/// A capture stage (video or audio): opens its source, reads frames on a background task and tells
/// each to the next stage at once, with no queue of its own. A source that cannot be opened or
/// fails is reported and this stage stops; a source that ends (a file) is reported too.
/// <para>
/// Started <c>held</c> (a call still ringing), the source runs but every frame is thrown away
/// until <see cref="MediaFlowing"/>: the device and its ffmpeg are warm when the call is answered.
/// The newest frame thrown away is kept and passed on the moment the call flows (it carries its own
/// capture time, at most a frame interval old), so the answer does not wait for the next frame.
/// </para>
/// </summary>
internal sealed class CaptureActor<TFrame> : ReceiveActor where TFrame : class
{
    private readonly string stage;
    private readonly Func<OpenedSource<TFrame>> open;
    private readonly IActorRef next;
    private readonly MediaCounter counter;
    private readonly CancellationTokenSource stop = new();
    private OpenedSource<TFrame>? source;
    private Task? pump;
    private readonly object gate = new();
    private bool held;
    private TFrame? newestHeld;

    public CaptureActor(string stage, Func<OpenedSource<TFrame>> open, IActorRef next, MediaCounter counter, bool held)
    {
        (this.stage, this.open, this.next, this.counter, this.held) = (stage, open, next, counter, held);
        Receive<StageFailed>(failed => MediaStage.Fail(Context, failed.Stage, failed.Message));
        Receive<MediaFlowing>(_ => Release());
    }

    /// <param name="held">Throw frames away until <see cref="MediaFlowing"/> (the call is not answered yet).</param>
    public static Props Props(string stage, Func<OpenedSource<TFrame>> open, IActorRef next, MediaCounter counter, bool held = false) =>
        Akka.Actor.Props.Create(() => new CaptureActor<TFrame>(stage, open, next, counter, held));

    protected override void PreStart()
    {
        try
        {
            source = open();
        }
        catch (Exception error)
        {
            MediaStage.Fail(Context, stage, MediaStage.Describe(error));
            return;
        }
        var (self, session, read, token) = (Self, Context.Parent, source.Read, stop.Token);
        var count = new MediaCount(counter);
        pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in read(token).ConfigureAwait(false))
                {
                    // Under the lock, so the frame kept while held never follows a newer one.
                    lock (gate)
                    {
                        if (held)
                        {
                            newestHeld = frame;
                            continue;
                        }
                        next.Tell(frame);
                    }
                    session.Tell(count);
                }
                if (!token.IsCancellationRequested) self.Tell(new StageFailed(stage, "the source ended"));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { }
            catch (Exception error)
            {
                self.Tell(new StageFailed(stage, MediaStage.Describe(error)));
            }
        });
    }

    private void Release()
    {
        lock (gate)
        {
            if (!held) return;
            held = false;
            var kept = newestHeld;
            newestHeld = null;
            if (kept is null) return;
            next.Tell(kept);
        }
        Context.Parent.Tell(new MediaCount(counter));
    }

    protected override void PostStop()
    {
        stop.Cancel();
        MediaStage.Wait(pump);
        MediaStage.Close(source is null ? null : source.Source.DisposeAsync);
        stop.Dispose();
    }
}
