using System.Collections.Concurrent;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Pipes;
using Pype.Core.Media;
using Pype.Media.Processes;

namespace Pype.Media.Video;

/// <summary>
/// One long-lived ffmpeg/libx264 process: raw frames in through FFMpegCore's RawVideoPipeSource,
/// Annex-B out through the callback StreamPipeSink. Each access unit is cut the moment it is
/// complete (<see cref="AccessUnitFramer"/> with the muxer's size line) and paired with the frame
/// written first and not yet answered: x264 with zerolatency gives one access unit per frame, in order.
/// </summary>
internal sealed class X264Process
{
    private sealed record WrittenFrame(VideoFrame Frame, long Sequence, TimeSpan WrittenAt);

    /// <summary>The sequence of the black frame a primed process encodes first; its access unit is never passed on.</summary>
    private const long PrimingSequence = -1;

    private readonly H264EncoderSettings _settings;
    private readonly Action<long, EncodedAccessUnit> _onAccessUnit;
    private readonly Channel<(VideoFrame Frame, long Sequence)> _input = Channel.CreateUnbounded<(VideoFrame, long)>();
    private readonly ConcurrentQueue<WrittenFrame> _written = new();
    private readonly AccessUnitFramer _framer = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly RecentLines _errors = new(8);
    private readonly object _handoff = new();
    private bool _accounted;
    private volatile bool _inputDone;
    private long _framesTaken;
    private readonly TaskCompletionSource _primed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="idrOnSecondFrame">
    /// Force an IDR on the second frame: the first is a warm-up frame thrown away, so the first real
    /// frame must be decodable on its own (forced keyframes are IDRs, with their SPS and PPS in band).
    /// </param>
    /// <param name="prime">
    /// Encode a black frame at once and throw it away: ffmpeg and x264 set up their output only when the
    /// first frame arrives (50–300 ms, far more on a busy machine), so a standby that is merely
    /// launched still stalls the first frames it is switched to. <see cref="Primed"/> completes when
    /// that set-up is over; the first real frame is then an IDR. A black frame: it costs x264's
    /// buffer next to nothing, so the IDR gets a full one. (A recent frame of the call, tried, took
    /// half the buffer and left the IDR squeezed, and every picture built on it blurred; after a
    /// black one x264 may instead send the picture after the IDR unchanged, one frame's hiccup.)
    /// </param>
    public X264Process(H264EncoderSettings settings, Action<long, EncodedAccessUnit> onAccessUnit, bool idrOnSecondFrame = false, bool prime = false)
    {
        _settings = settings;
        _onAccessUnit = onAccessUnit;
        idrOnSecondFrame |= prime;
        if (!prime || !_input.Writer.TryWrite((BlackFrame(settings.Width, settings.Height), PrimingSequence))) _primed.TrySetResult();
        var source = new RawVideoPipeSource(Slots()) { FrameRate = settings.FrameRate };
        var sink = new StreamPipeSink(ReadOutputAsync) { Format = "h264" };
        var options = idrOnSecondFrame ? settings.OutputOptions + " -force_key_frames expr:eq(n,1) -forced-idr 1" : settings.OutputOptions;
        var processor = FFMpegArguments
            .FromPipeInput(source)
            .OutputToPipe(sink, o => o.WithCustomArgument(options))
            .NotifyOnStandardError(OnErrorLine)
            .CancellableThrough(_kill.Token, TimeSpan.FromSeconds(1));
        PipeName = System.Text.RegularExpressions.Regex.Match(processor.Arguments, @"FFMpegCore_[0-9a-fA-F\-]+").Value;
        Exited = processor.ProcessAsynchronously(false);
    }

    public Task<FFMpegResult> Exited { get; }

    /// <summary>Completes once a primed process has encoded its black frame (at once for one not primed).</summary>
    public Task Primed => _primed.Task;

    /// <summary>A black frame of this size (Y at 16, chroma at 128), outside the call's frame indices.</summary>
    public static VideoFrame BlackFrame(int width, int height)
    {
        var yuv = new byte[VideoFrame.SizeOf(width, height)];
        Array.Fill(yuv, (byte)16, 0, width * height);
        Array.Fill(yuv, (byte)128, width * height, yuv.Length - width * height);
        return new VideoFrame(-1, MediaClock.Now, width, height, yuv);
    }

    public H264EncoderSettings Settings => _settings;

    /// <summary>True once the owner has asked this process to end; its exit is then not a death.</summary>
    public bool Retired { get; private set; }

    public string PipeName { get; }

    public int? ProcessId => ChildProcesses.FindByCommandLine(PipeName);

    public IReadOnlyList<string> LastErrorLines => _errors.Snapshot();

    /// <summary>Frames this process was given, a warm-up frame included.</summary>
    public long FramesTaken => Interlocked.Read(ref _framesTaken);

    public bool TryEncode(VideoFrame frame, long sequence)
    {
        if (!_input.Writer.TryWrite((frame, sequence))) return false;
        Interlocked.Increment(ref _framesTaken);
        return true;
    }

    /// <summary>No more frames: ffmpeg drains what it has, writes the last access units and exits.</summary>
    public void Retire()
    {
        Retired = true;
        _input.Writer.TryComplete();
    }

    public void Kill()
    {
        Retired = true;
        _input.Writer.TryComplete();
        try { _kill.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// Sequences given to this process that never came back as access units; once asked, the
    /// process takes no more frames from its queue, so no sequence can slip between the answer
    /// and the pipe (the encoder waits for every sequence in order: one lost stalled it for good).
    /// </summary>
    public IReadOnlyList<long> Unanswered()
    {
        lock (_handoff)
        {
            _accounted = true;
            var unanswered = new List<long>();
            while (_written.TryDequeue(out var written)) unanswered.Add(written.Sequence);
            while (_input.Reader.TryRead(out var queued)) unanswered.Add(queued.Sequence);
            unanswered.Remove(PrimingSequence);
            return unanswered;
        }
    }

    private IEnumerable<IVideoFrame> Slots()
    {
        while (!_inputDone) yield return new InputSlot(this);
    }

    private async Task WriteNextAsync(Stream pipe, CancellationToken cancel)
    {
        try
        {
            if (!await _input.Reader.WaitToReadAsync(cancel).ConfigureAwait(false))
            {
                _inputDone = true;
                return;
            }
            (VideoFrame Frame, long Sequence) next;
            // Taken off the queue and marked written in one step, apart from Unanswered: a frame
            // between the two was in neither list, and its sequence never came back.
            lock (_handoff)
            {
                if (_accounted || !_input.Reader.TryRead(out next))
                {
                    _inputDone = true;
                    return;
                }
                _written.Enqueue(new WrittenFrame(next.Frame, next.Sequence, MediaClock.Now));
            }
            await pipe.WriteAsync(next.Frame.Yuv420p, cancel).ConfigureAwait(false);
            await pipe.FlushAsync(cancel).ConfigureAwait(false);
        }
        catch (IOException)
        {
            _inputDone = true; // ffmpeg went away; its exit is reported by Exited
        }
    }

    private async Task ReadOutputAsync(Stream output, CancellationToken cancel)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await output.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
            {
                lock (_framer) _framer.AddBytes(buffer.AsSpan(0, read));
                Drain();
            }
        }
        catch (IOException) { }
        finally
        {
            _input.Writer.TryComplete(); // nothing more can come out, so let the input side finish too
        }
    }

    private void OnErrorLine(string line)
    {
        var size = AccessUnitFramer.ParseMuxerSize(line);
        if (size is int bytes)
        {
            lock (_framer) _framer.AddSize(bytes);
            Drain();
        }
        else if (!line.Contains(" -> ", StringComparison.Ordinal) && !line.Contains(" <- ", StringComparison.Ordinal))
        {
            _errors.Add(line);
        }
    }

    private void Drain()
    {
        while (true)
        {
            byte[] accessUnit;
            WrittenFrame? written;
            lock (_framer)
            {
                if (!_framer.TryTake(out accessUnit)) return;
                _written.TryDequeue(out written);
            }
            if (written is null) continue; // cannot happen with one access unit per frame; never invent a tag
            if (written.Sequence == PrimingSequence)
            {
                _primed.TrySetResult();
                continue;
            }
            var unit = new EncodedAccessUnit(written.Frame.Index, written.Frame.CaptureTime, accessUnit,
                AccessUnit.Parse(accessUnit).IsKeyframe, MediaClock.Now - written.WrittenAt)
            {
                Width = _settings.EncodedSize.Width,
                Height = _settings.EncodedSize.Height,
                FrameRate = _settings.FrameRate,
            };
            _onAccessUnit(written.Sequence, unit);
        }
    }

    /// <summary>A promise of "the next queued frame": FFMpegCore asks the first frame for its size while
    /// building the command line, so slots let the process start before any frame exists.</summary>
    private sealed class InputSlot(X264Process owner) : IVideoFrame
    {
        public int Width => owner._settings.Width;
        public int Height => owner._settings.Height;
        public string PixelFormat => "yuv420p";

        public void Serialize(Stream pipe) => owner.WriteNextAsync(pipe, CancellationToken.None).GetAwaiter().GetResult();

        public Task SerializeAsync(Stream pipe, CancellationToken token) => owner.WriteNextAsync(pipe, token);
    }
}
