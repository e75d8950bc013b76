using Akka.Actor;
using Pype.Core.Media;

namespace Pype.Actors.Media;

/// <summary>An opened source: how to read its frames and how to close it.</summary>
internal sealed record OpenedSource<TFrame>(Func<CancellationToken, IAsyncEnumerable<TFrame>> Read, IAsyncDisposable Source);

/// <summary>
/// A capture stage (video or audio): opens its source, reads frames on a background task and tells
/// each to the next stage at once, with no queue of its own. A source that cannot be opened or
/// fails is reported and this stage stops; a source that ends (a file) is reported too.
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

    public CaptureActor(string stage, Func<OpenedSource<TFrame>> open, IActorRef next, MediaCounter counter)
    {
        (this.stage, this.open, this.next, this.counter) = (stage, open, next, counter);
        Receive<StageFailed>(failed => MediaStage.Fail(Context, failed.Stage, failed.Message));
    }

    public static Props Props(string stage, Func<OpenedSource<TFrame>> open, IActorRef next, MediaCounter counter) =>
        Akka.Actor.Props.Create(() => new CaptureActor<TFrame>(stage, open, next, counter));

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
