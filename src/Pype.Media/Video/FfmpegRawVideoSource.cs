using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Pipes;
using Pype.Core.Media;
using Pype.Media.Processes;

namespace Pype.Media.Video;

/// <summary>
/// Any ffmpeg input turned into raw yuv420p frames of a fixed size through one ffmpeg process.
/// Subclasses name the input; this class reads whole frames off the output pipe, optionally
/// paces them to real time (for inputs faster than a clock, like lavfi or files) and stamps
/// each with its capture time as it leaves.
/// </summary>
public abstract class FfmpegRawVideoSource : IVideoSource
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _process;

    protected FfmpegRawVideoSource(int width, int height, int frameRate)
    {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) throw new ArgumentException($"frame size {width}x{height} must be positive and even");
        if (frameRate <= 0) throw new ArgumentOutOfRangeException(nameof(frameRate));
        (Width, Height, FrameRate) = (width, height, frameRate);
    }

    public int Width { get; }
    public int Height { get; }
    public int FrameRate { get; }

    /// <summary>The ffmpeg input (after -i) and the options that go before it.</summary>
    protected abstract (string Input, string InputOptions) Input { get; }

    /// <summary>Whether frames are held back to the frame rate; false for inputs that keep their own time (devices).</summary>
    protected abstract bool PaceToFrameRate { get; }

    protected virtual void Prepare() { }

    protected virtual void OnFrame(VideoFrame frame) { }

    public async IAsyncEnumerable<VideoFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancel = default)
    {
        Prepare();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stop.Token);
        var frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var frameSize = VideoFrame.SizeOf(Width, Height);
        var stopToken = linked.Token;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new StreamPipeSink(async (stream, token) =>
        {
            // Stopping must not wait for ffmpeg: leaving this callback closes the pipe, and ffmpeg ends on the broken pipe.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(token, stopToken);
            try
            {
                while (true)
                {
                    var buffer = new byte[frameSize];
                    if (!await StreamReading.ReadExactlyOrEndAsync(stream, buffer, either.Token).ConfigureAwait(false)) return;
                    await frames.Writer.WriteAsync(buffer, either.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { }
            finally
            {
                drained.TrySetResult();
            }
        })
        { Format = "rawvideo" };
        var (input, inputOptions) = Input;
        var errors = new RecentLines(12);
        _process = FFMpegArguments
            .FromFileInput(input, false, o => o.WithCustomArgument(inputOptions))
            .OutputToPipe(sink, o => o.WithCustomArgument($"-nostdin -an -vf scale={Width}:{Height},fps={FrameRate} -pix_fmt yuv420p"))
            .NotifyOnStandardError(errors.Add)
            .CancellableThrough(linked.Token, TimeSpan.FromSeconds(2))
            .ProcessAsynchronously(false)
            .ContinueWith(t => PipeCompletion.CompleteAfterDrainAsync(frames.Writer, drained.Task,
                t.IsCompletedSuccessfully && t.Result.Success || linked.IsCancellationRequested ? null
                    : new MediaDeviceException($"ffmpeg could not read video from {input}: {errors}")), TaskScheduler.Default).Unwrap();

        try
        {
            await foreach (var frame in PacedAsync(frames.Reader, linked.Token).ConfigureAwait(false)) yield return frame;
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            await _process.ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<VideoFrame> PacedAsync(ChannelReader<byte[]> frames, [EnumeratorCancellation] CancellationToken cancel)
    {
        long index = 0;
        TimeSpan? start = null;
        while (await frames.WaitToReadAsync(cancel).ConfigureAwait(false))
        {
            while (frames.TryRead(out var yuv))
            {
                if (PaceToFrameRate)
                {
                    start ??= MediaClock.Now;
                    var due = start.Value + TimeSpan.FromSeconds(index / (double)FrameRate);
                    var wait = due - MediaClock.Now;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel).ConfigureAwait(false);
                }
                var frame = new VideoFrame(index++, MediaClock.Now, Width, Height, yuv);
                OnFrame(frame);
                yield return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_process is not null) await _process.ConfigureAwait(false);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
