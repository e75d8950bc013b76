using System.Collections.Concurrent;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Pipes;
using Pype.Core.Media;
using Pype.Media.Processes;

namespace Pype.Media.Video;

/// <summary>A decoded picture, tagged from the access unit it came from, with the time ffmpeg took.</summary>
public sealed record DecodedVideoFrame(VideoFrame Frame, TimeSpan DecodeLatency);

/// <summary>
/// H.264 decoder for a call: one long-lived ffmpeg with the MEDIA-NOTES low-delay line
/// (no probing backlog, no frame threading, rawvideo out). Each access unit is written followed at
/// once by an access-unit delimiter, so the raw H.264 demuxer sees the frame end without waiting
/// for the next one (trap 1: 35 ms → 1.6 ms). Pictures come out at the W×H given here.
/// </summary>
public sealed class H264Decoder : IAsyncDisposable
{
    private static readonly byte[] DelimiterNal = [.. AccessUnit.StartCode, .. AccessUnit.Delimiter];

    private sealed record Submitted(EncodedAccessUnit Unit, TimeSpan WrittenAt, bool IsWarmUp);

    private readonly Channel<(EncodedAccessUnit Unit, bool IsWarmUp)> _in = Channel.CreateUnbounded<(EncodedAccessUnit, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<DecodedVideoFrame> _out = Channel.CreateUnbounded<DecodedVideoFrame>();
    private readonly ConcurrentQueue<Submitted> _written = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly RecentLines _errors = new(8);
    private Task<FFMpegResult>? _process;
    private string _pipeName = "";
    private bool _stopping;
    private bool _decoding;

    public H264Decoder(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width));
        (Width, Height) = (width, height);
    }

    public int Width { get; }
    public int Height { get; }

    public ChannelReader<DecodedVideoFrame> Frames => _out.Reader;

    public event Action<MediaProcessExit>? Died;

    public int? ProcessId => ChildProcesses.FindByCommandLine(_pipeName);

    public void Start()
    {
        if (_process is not null) throw new InvalidOperationException("decoder already started");
        var processor = FFMpegArguments
            .FromPipeInput(new AccessUnitPipeSource(this), o => o.WithCustomArgument("-probesize 32 -analyzeduration 0 -flags low_delay -threads 1"))
            .OutputToPipe(new StreamPipeSink(ReadFramesAsync) { Format = "rawvideo" },
                o => o.WithCustomArgument($"-nostdin -fps_mode passthrough -threads 1 -pix_fmt yuv420p -s {Width}x{Height} -nostats"))
            .NotifyOnStandardError(_errors.Add)
            .CancellableThrough(_kill.Token, TimeSpan.FromSeconds(1));
        _pipeName = System.Text.RegularExpressions.Regex.Match(processor.Arguments, @"FFMpegCore_[0-9a-fA-F\-]+").Value;
        _process = processor.ProcessAsynchronously(false);
        _ = _process.ContinueWith(t =>
        {
            _out.Writer.TryComplete();
            if (!_stopping) Died?.Invoke(new MediaProcessExit("decoder", t.IsCompletedSuccessfully ? t.Result.ExitCode : -1, _errors.Snapshot()));
        }, TaskScheduler.Default);
    }

    /// <summary>Queues one access unit (as the encoder or the depacketiser produced it).</summary>
    public bool Decode(EncodedAccessUnit unit)
    {
        Volatile.Write(ref _decoding, true);
        return _in.Writer.TryWrite((unit, false));
    }

    /// <summary>
    /// Decodes a keyframe whose picture is thrown away: ffmpeg probes its input and sets up decoder
    /// and output only when the first access unit arrives (30–100 ms), so a decoder started while
    /// its call rings does that on this one instead of on the call's first frame. Any size will do;
    /// the stream that follows starts with its own keyframe and parameter sets. Refused (false) once
    /// the stream has begun: a keyframe slipped in between its frames would become the reference
    /// of the frames after it, and they would decode to garbage until the next keyframe.
    /// </summary>
    public bool WarmUp(EncodedAccessUnit keyframe) =>
        keyframe.IsKeyframe && !Volatile.Read(ref _decoding) && _in.Writer.TryWrite((keyframe, true));

    private async Task WriteAccessUnitsAsync(Stream pipe, CancellationToken cancel)
    {
        var first = true;
        try
        {
            await foreach (var (unit, isWarmUp) in _in.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                _written.Enqueue(new Submitted(unit, MediaClock.Now, isWarmUp));
                var body = first ? unit.Data : AccessUnit.Parse(unit.Data).WithoutLeadingDelimiter().ToAnnexB();
                first = false;
                await pipe.WriteAsync(body, cancel).ConfigureAwait(false);
                await pipe.WriteAsync(DelimiterNal, cancel).ConfigureAwait(false);
                await pipe.FlushAsync(cancel).ConfigureAwait(false);
            }
        }
        catch (IOException) { }
    }

    private async Task ReadFramesAsync(Stream output, CancellationToken cancel)
    {
        var size = VideoFrame.SizeOf(Width, Height);
        try
        {
            while (true)
            {
                var yuv = new byte[size];
                if (!await StreamReading.ReadExactlyOrEndAsync(output, yuv, cancel).ConfigureAwait(false)) return;
                var now = MediaClock.Now;
                // One picture per access unit and in order, while the stream is intact; the stamped index is the check.
                _written.TryDequeue(out var source);
                if (source is { IsWarmUp: true }) continue;
                var frame = new VideoFrame(source?.Unit.FrameIndex ?? -1, source?.Unit.CaptureTime ?? now, Width, Height, yuv);
                _out.Writer.TryWrite(new DecodedVideoFrame(frame, source is null ? TimeSpan.Zero : now - source.WrittenAt));
            }
        }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _in.Writer.TryComplete();
        if (_process is null) return;
        if (await Task.WhenAny(_process, Task.Delay(TimeSpan.FromSeconds(3))).ConfigureAwait(false) != _process)
        {
            await _kill.CancelAsync().ConfigureAwait(false);
            await _process.ConfigureAwait(false);
        }
        _kill.Dispose();
    }

    /// <summary>Feeds queued access units into ffmpeg's input pipe as raw H.264.</summary>
    private sealed class AccessUnitPipeSource(H264Decoder owner) : IPipeSource
    {
        public string GetStreamArguments() => "-f h264";

        public Task WriteAsync(Stream outputStream, CancellationToken cancellationToken) => owner.WriteAccessUnitsAsync(outputStream, cancellationToken);
    }
}
