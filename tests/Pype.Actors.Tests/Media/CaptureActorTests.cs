using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Pype.Actors.Media;
using Pype.Core.Media;
using Xunit;

namespace Pype.Actors.Tests.Media;

public sealed class CaptureActorTests : TestKit
{
    private sealed record Frame(int Index);

    /// <summary>A source that yields five frames, then waits for <see cref="Resume"/> before yielding five more.</summary>
    private sealed class PausingSource : IAsyncDisposable
    {
        private readonly TaskCompletionSource resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Produced;

        public void Resume() => resume.TrySetResult();

        public async IAsyncEnumerable<Frame> ReadAsync([EnumeratorCancellation] CancellationToken cancel)
        {
            for (var i = 0; i < 10; i++)
            {
                if (i == 5) await resume.Task.WaitAsync(cancel);
                Interlocked.Exchange(ref Produced, i + 1);
                yield return new Frame(i);
            }
            await Task.Delay(Timeout.Infinite, cancel);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private (IActorRef Capture, Akka.TestKit.TestProbe Next) Start(PausingSource source, bool held)
    {
        var next = CreateTestProbe();
        var capture = Sys.ActorOf(CaptureActor<Frame>.Props("video-capture",
            () => new OpenedSource<Frame>(source.ReadAsync, source), next.Ref, MediaCounter.VideoFramesCaptured, held));
        return (capture, next);
    }

    [Fact]
    public void A_held_capture_passes_nothing_then_on_release_the_newest_frame_it_held_at_once_and_newer_ones_in_order()
    {
        var source = new PausingSource();
        var (capture, next) = Start(source, held: true);
        AwaitCondition(() => Volatile.Read(ref source.Produced) == 5, TimeSpan.FromSeconds(10));
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The source is paused: only the frame kept while held can come out now.
        capture.Tell(MediaFlowing.Instance);
        Assert.Equal(4, next.ExpectMsg<Frame>(TimeSpan.FromSeconds(5)).Index);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        source.Resume();
        Assert.Equal([5, 6, 7, 8, 9], Enumerable.Range(0, 5).Select(_ => next.ExpectMsg<Frame>(TimeSpan.FromSeconds(5)).Index));
        capture.Tell(MediaFlowing.Instance);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_capture_started_flowing_passes_every_frame_from_the_first()
    {
        var source = new PausingSource();
        var (_, next) = Start(source, held: false);
        Assert.Equal([0, 1, 2, 3, 4], Enumerable.Range(0, 5).Select(_ => next.ExpectMsg<Frame>(TimeSpan.FromSeconds(5)).Index));
        source.Resume();
        Assert.Equal(5, next.ExpectMsg<Frame>(TimeSpan.FromSeconds(5)).Index);
    }
}
