using System.Threading.Channels;
using Pype.Core.Media;
using Pype.Media.Processes;

namespace Pype.Media.Video;

/// <summary>
/// H.264 encoder for a call: frames in with <see cref="Encode"/>, access units out of
/// <see cref="AccessUnits"/> in frame order, each tagged with its frame's index and capture time.
///
/// Keyframe on request: ffmpeg cannot be told to make an IDR while it runs, so the encoder keeps
/// a warm standby process, primed by encoding a black frame of its own (ffmpeg and x264 set up
/// their output only on the first frame) and then waiting on its input pipe
/// (<see cref="IsStandbyReady"/>, <see cref="StandbyReady"/>). <see cref="RequestKeyframe"/>
/// sends the next frame to the standby, whose first output is an IDR, retires the old process
/// (it drains and exits) and warms a new standby. The cost is one idle ffmpeg; the keyframe comes
/// on the very next frame. Access units of the two processes are put back in frame order.
/// The first standby is started only once the first access unit is out: at call start every
/// ffmpeg of both sides starts at once on few cores, and one process fewer then brings the first
/// picture sooner; the first frame is an IDR anyway.
///
/// An ffmpeg that dies on its own raises <see cref="Died"/>; the owner calls <see cref="Restart"/>.
///
/// A process also hands over to the warm standby after <see cref="FramesPerProcess"/> frames:
/// FFMpegCore keeps every line a process writes to stderr until it exits, and the
/// <c>-debug_ts</c> lines the access units are cut by come eight a frame (2.4 KB measured), so
/// one ffmpeg kept for a whole call held about 250 MB an hour at 30 fps.
/// </summary>
public sealed class H264Encoder : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Channel<EncodedAccessUnit> _out = Channel.CreateUnbounded<EncodedAccessUnit>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly SortedDictionary<long, EncodedAccessUnit?> _finished = new();
    private readonly List<X264Process> _all = [];
    private X264Process? _current;
    private X264Process? _standby;
    private long _nextSequence;
    private long _nextToEmit;
    private long? _warmUpSequence;
    private readonly TaskCompletionSource<EncodedAccessUnit?> _warmUpUnit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;
    private int _firstStandbyWarming;

    /// <summary>
    /// How long a switch waits at most for the standby to be primed: past this a keyframe from a
    /// process still starting beats none at all.
    /// </summary>
    public static readonly TimeSpan StandbyReadyLimit = TimeSpan.FromSeconds(2);

    /// <summary>Frames per process by default: two minutes at 30 fps.</summary>
    public const long DefaultFramesPerProcess = 3600;

    /// <param name="framesPerProcess">
    /// Frames one ffmpeg encodes before the next frame goes to the warm standby; rounded up to a
    /// multiple of the keyframe interval, so the handover's IDR stands in for a periodic keyframe.
    /// </param>
    public H264Encoder(H264EncoderSettings settings, long framesPerProcess = DefaultFramesPerProcess)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerProcess, 1);
        Settings = settings;
        var interval = Math.Max(1, settings.KeyframeInterval);
        FramesPerProcess = (framesPerProcess + interval - 1) / interval * interval;
    }

    /// <summary>Frames one ffmpeg encodes before a fresh one takes over (<paramref name="framesPerProcess"/> rounded up).</summary>
    public long FramesPerProcess { get; }

    /// <summary>Times a process handed over to the standby because it had encoded <see cref="FramesPerProcess"/> frames.</summary>
    public long ProcessHandovers { get; private set; }

    /// <summary>The settings last asked for (the standby's once <see cref="Reconfigure"/> was called).</summary>
    public H264EncoderSettings Settings { get; private set; }

    /// <summary>The settings of the process frames go to now: until a switch, those before the last <see cref="Reconfigure"/>.</summary>
    public H264EncoderSettings ActiveSettings
    {
        get
        {
            lock (_gate) return _current?.Settings ?? Settings;
        }
    }

    public ChannelReader<EncodedAccessUnit> AccessUnits => _out.Reader;

    /// <summary>
    /// The access unit of the warm-up frame (<see cref="Start(bool)"/>), kept out of
    /// <see cref="AccessUnits"/>: a keyframe a decoder can warm up on. Null when there was none or
    /// its process ended first.
    /// </summary>
    public Task<EncodedAccessUnit?> WarmUpAccessUnit => _warmUpUnit.Task;

    /// <summary>The encoding ffmpeg exited without being asked to.</summary>
    public event Action<MediaProcessExit>? Died;

    /// <summary>Process id of the ffmpeg encoding now (found through /proc), or null.</summary>
    public int? ProcessId => _current?.ProcessId;

    /// <summary>
    /// The standby has started and encoded its priming frame: a switch to it now costs no start-up.
    /// False while it starts, and when there is none (a keyframe would then start a process cold).
    /// </summary>
    public bool IsStandbyReady
    {
        get
        {
            lock (_gate) return IsReady(_standby);
        }
    }

    /// <summary>Raised (on a background thread) when a newly launched standby becomes ready (<see cref="IsStandbyReady"/>).</summary>
    public event Action? StandbyReady;

    private static bool IsReady(X264Process? standby) =>
        standby is { Retired: false, Exited.IsCompleted: false, Primed.IsCompletedSuccessfully: true };

    public bool IsRunning => _current is { Retired: false, Exited.IsCompleted: false };

    public void Start() => Start(warmUp: false);

    /// <summary>
    /// Starts the encoder. <paramref name="warmUp"/>: encode one black frame at once and throw its
    /// access unit away, so ffmpeg's and x264's start-up (their output is set up only when the first
    /// frame arrives: 50–300 ms on a busy machine) is over before the first real frame; that frame
    /// is then forced to be an IDR. For an encoder started while its call rings.
    /// </summary>
    public void Start(bool warmUp)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is not null) throw new InvalidOperationException("encoder already started");
            _current = Launch(Settings, idrOnSecondFrame: warmUp);
            if (!warmUp)
            {
                _warmUpUnit.TrySetResult(null);
                return;
            }
            if (_current.TryEncode(X264Process.BlackFrame(Settings.Width, Settings.Height), _nextSequence))
                _warmUpSequence = _nextSequence++;
            else
                _warmUpUnit.TrySetResult(null);
        }
    }

    /// <summary>Queues a frame; false when no encoder process is running (it died and was not restarted).</summary>
    public bool Encode(VideoFrame frame)
    {
        if (frame.Width != Settings.Width || frame.Height != Settings.Height)
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, encoder expects {Settings.Width}x{Settings.Height}", nameof(frame));
        lock (_gate)
        {
            if (_current is null || _current.Retired || _current.Exited.IsCompleted) return false;
            // Only to a warm standby with the same settings: one started by Reconfigure is switched to by its owner.
            if (_current.FramesTaken >= FramesPerProcess && IsReady(_standby) && _standby!.Settings == _current.Settings)
            {
                SwitchToStandby();
                ProcessHandovers++;
            }
            // A sequence is spent only on a frame a process took: access units go out in sequence
            // order, so one never handed to a process (its input already closed by its death) would
            // hold back every later one for good.
            if (!_current.TryEncode(frame, _nextSequence)) return false;
            _nextSequence++;
            return true;
        }
    }

    /// <summary>Makes the next frame an IDR by switching to the warm standby process.</summary>
    public void RequestKeyframe()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SwitchToStandby();
        }
    }

    private void SwitchToStandby()
    {
        _current?.Retire();
        _current = _standby is { Exited.IsCompleted: false } ? _standby : Launch(Settings);
        _standby = LaunchStandby(Settings);
    }

    /// <summary>
    /// New settings (bitrate, frame rate, encoded size; the same input size) from the next switch
    /// on: the warm standby is replaced by one started with them, and <see cref="RequestKeyframe"/>
    /// moves to it once it had time to start. Until then frames keep going to the current process,
    /// so a change costs no gap. A new encoded size starts with the standby's IDR and its new SPS.
    /// </summary>
    public void Reconfigure(H264EncoderSettings settings)
    {
        if ((settings.Width, settings.Height) != (Settings.Width, Settings.Height))
            throw new ArgumentException("frames must keep coming in at one size: a new input size needs a new encoder", nameof(settings));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Settings = settings;
            _standby?.Retire();
            _standby = LaunchStandby(settings);
        }
    }

    /// <summary>After <see cref="Died"/>: carries on with a fresh process (the first frame is an IDR).</summary>
    public void Restart() => RequestKeyframe();

    private X264Process LaunchStandby(H264EncoderSettings settings)
    {
        var standby = Launch(settings, prime: true);
        _ = standby.Primed.ContinueWith(_ =>
        {
            bool ready;
            lock (_gate) ready = standby == _standby && IsReady(standby);
            if (ready) StandbyReady?.Invoke();
        }, TaskScheduler.Default);
        return standby;
    }

    private X264Process Launch(H264EncoderSettings settings, bool idrOnSecondFrame = false, bool prime = false)
    {
        var process = new X264Process(settings, OnAccessUnit, idrOnSecondFrame, prime);
        lock (_gate) _all.Add(process);
        _ = process.Exited.ContinueWith(t => OnExited(process, t), TaskScheduler.Default);
        return process;
    }

    private void OnAccessUnit(long sequence, EncodedAccessUnit unit)
    {
        lock (_gate)
        {
            _finished[sequence] = unit;
            Flush();
        }
        WarmFirstStandby();
    }

    /// <summary>
    /// Starts the first standby off the output path and outside the lock: starting ffmpeg takes
    /// 100–300 ms, and frames must keep going to the current process meanwhile.
    /// </summary>
    private void WarmFirstStandby()
    {
        if (Interlocked.Exchange(ref _firstStandbyWarming, 1) == 1) return;
        _ = Task.Run(() =>
        {
            H264EncoderSettings settings;
            lock (_gate)
            {
                if (_disposed || _standby is not null) return;
                settings = Settings;
            }
            var process = LaunchStandby(settings);
            lock (_gate)
            {
                if (!_disposed && _standby is null && Settings == settings) _standby = process;
                else process.Retire();
                // Primed before it was made the standby (its own notice found it not yet in place).
                if (!IsReady(_standby) || _standby != process) return;
            }
            StandbyReady?.Invoke();
        });
    }

    private void OnExited(X264Process process, Task<FFMpegCore.FFMpegResult> exit)
    {
        bool died;
        lock (_gate)
        {
            foreach (var sequence in process.Unanswered()) _finished[sequence] = null;
            Flush();
            _all.Remove(process); // its result holds every stderr line it wrote
            died = !process.Retired && !_disposed;
            if (process == _standby) { _standby = null; died = false; }
        }
        if (!died) return;
        var code = exit.IsCompletedSuccessfully ? exit.Result.ExitCode : -1;
        Died?.Invoke(new MediaProcessExit("encoder", code, process.LastErrorLines));
    }

    private void Flush()
    {
        while (_finished.Remove(_nextToEmit, out var unit))
        {
            if (_nextToEmit == _warmUpSequence) _warmUpUnit.TrySetResult(unit);
            else if (unit is not null) _out.Writer.TryWrite(unit);
            _nextToEmit++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        X264Process[] all;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _warmUpUnit.TrySetResult(null);
            all = [.. _all];
            foreach (var process in all) process.Retire();
        }
        var exits = Task.WhenAll(all.Select(p => (Task)p.Exited));
        if (await Task.WhenAny(exits, Task.Delay(TimeSpan.FromSeconds(3))).ConfigureAwait(false) != exits)
        {
            foreach (var process in all) process.Kill();
            await exits.ConfigureAwait(false);
        }
        _out.Writer.TryComplete();
    }
}
