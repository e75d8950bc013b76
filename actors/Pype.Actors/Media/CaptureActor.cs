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
/// until <see cref="MediaFlowing"/>: the device and its ffmpeg are warm when the call is answered,
/// so the first frame passed on is a fresh one, a frame interval later at most.
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
    private volatile bool held;

    public CaptureActor(string stage, Func<OpenedSource<TFrame>> open, IActorRef next, MediaCounter counter, bool held)
    {
        (this.stage, this.open, this.next, this.counter, this.held) = (stage, open, next, counter, held);
        Receive<StageFailed>(failed => MediaStage.Fail(Context, failed.Stage, failed.Message));
        // A block body: as an expression the assignment's value (false) would read as "not handled".
        Receive<MediaFlowing>(_ => { this.held = false; });
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
                    if (held) continue;
                    next.Tell(frame);
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

    protected override void PostStop()
    {
        stop.Cancel();
        MediaStage.Wait(pump);
        MediaStage.Close(source is null ? null : source.Source.DisposeAsync);
        stop.Dispose();
    }
}
