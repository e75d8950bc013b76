using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Pipes;
using Pype.Core.Media;
using Pype.Media.Processes;

namespace Pype.Media.Audio;

/// <summary>
/// Any ffmpeg audio input resampled to 48 kHz mono s16 and cut into 20 ms frames. Paced to real
/// time unless <c>realTime</c> is false (then as fast as ffmpeg decodes, for tests and files).
/// </summary>
public abstract class FfmpegPcmSource(bool realTime) : IAudioSource
{
    protected abstract (string Input, string InputOptions) Input { get; }

    protected virtual void Prepare() { }

    /// <summary>Input read to its end as fast as ffmpeg decodes it: a file, not paced.</summary>
    protected virtual bool ReadsWholeInputAtOnce => !realTime;

    public async IAsyncEnumerable<AudioFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancel = default)
    {
        Prepare();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        // A file read as fast as ffmpeg decodes is taken off the pipe at once: FFMpegCore closes the
        // pipe the moment ffmpeg exits, and output still waiting behind a full channel was lost
        // (a 2 s wav read back 93 of its 100 frames). Paced and device input keep the small bound,
        // so a slow reader holds ffmpeg back instead of piling frames up.
        var frames = ReadsWholeInputAtOnce
            ? Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true })
            : Channel.CreateBounded<byte[]>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var stopToken = stop.Token;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new StreamPipeSink(async (stream, token) =>
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(token, stopToken);
            try
            {
                while (true)
                {
                    var pcm = new byte[AudioFormat.BytesPerFrame];
                    if (!await StreamReading.ReadExactlyOrEndAsync(stream, pcm, either.Token).ConfigureAwait(false)) return;
                    await frames.Writer.WriteAsync(pcm, either.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { } // a last partial frame is dropped
            finally
            {
                drained.TrySetResult();
            }
        })
        { Format = "s16le" };
        var (input, inputOptions) = Input;
        var errors = new RecentLines(12);
        var process = FFMpegArguments
            .FromFileInput(input, false, o => o.WithCustomArgument(inputOptions))
            .OutputToPipe(sink, o => o.WithCustomArgument($"-nostdin -vn -ac {AudioFormat.Channels} -ar {AudioFormat.SampleRate}"))
            .NotifyOnStandardError(errors.Add)
            .CancellableThrough(stopToken, TimeSpan.FromSeconds(2))
            .ProcessAsynchronously(false)
            .ContinueWith(t => PipeCompletion.CompleteAfterDrainAsync(frames.Writer, drained.Task,
                t.IsCompletedSuccessfully && t.Result.Success || stopToken.IsCancellationRequested ? null
                    : new MediaDeviceException($"ffmpeg could not read audio from {input}: {errors}")), TaskScheduler.Default).Unwrap();
        try
        {
            long index = 0;
            TimeSpan? start = null;
            while (await frames.Reader.WaitToReadAsync(stopToken).ConfigureAwait(false))
            {
                while (frames.Reader.TryRead(out var pcm))
                {
                    if (realTime)
                    {
                        start ??= MediaClock.Now;
                        var wait = start.Value + AudioFormat.FrameDuration * index - MediaClock.Now;
                        if (wait > TimeSpan.Zero) await Task.Delay(wait, stopToken).ConfigureAwait(false);
                    }
                    yield return new AudioFrame(index++, MediaClock.Now, AudioFormat.SamplesFromBytes(pcm));
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await process.ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A pure tone from ffmpeg's lavfi sine source.</summary>
public sealed class SineSource(int frequencyHz, TimeSpan duration, bool realTime = true) : FfmpegPcmSource(realTime)
{
    protected override (string Input, string InputOptions) Input => (
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"sine=frequency={frequencyHz}:sample_rate={AudioFormat.SampleRate}:duration={duration.TotalSeconds}"),
        "-f lavfi");
}

/// <summary>A wav file (or anything else ffmpeg reads), converted to 48 kHz mono.</summary>
public sealed class WavFileSource(string path, bool realTime = true) : FfmpegPcmSource(realTime)
{
    protected override (string Input, string InputOptions) Input => (path, "");

    protected override void Prepare()
    {
        if (!File.Exists(path)) throw new MediaDeviceException($"audio file not found: {path}");
    }
}

/// <summary>
/// A sound card through an ffmpeg input device: <c>alsa</c> (e.g. "default", "hw:0") or
/// <c>pulse</c> (e.g. "default"). The device keeps its own time, so frames are not paced.
/// A device ffmpeg cannot open ends the frames with a <see cref="MediaDeviceException"/> naming it.
/// </summary>
public sealed class FfmpegDeviceAudioSource(string format, string device) : FfmpegPcmSource(realTime: false)
{
    protected override (string Input, string InputOptions) Input => (device, $"-f {format}");

    protected override bool ReadsWholeInputAtOnce => false;

    protected override void Prepare()
    {
        if (format is not ("alsa" or "pulse")) throw new MediaDeviceException($"unsupported ffmpeg audio device format '{format}': use alsa or pulse");
    }
}
