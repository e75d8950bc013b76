using Pype.Core.Media;
using Pype.Media.Processes;
using static Pype.Media.Audio.PortAudioNative;

namespace Pype.Media.Audio;

/// <summary>
/// One blocking PortAudio stream on the default input or output device, 48 kHz mono s16,
/// 20 ms buffers. Opening fails with <see cref="MediaDeviceException"/> when the library or the
/// device is missing; PortAudio is initialised per stream and terminated when it closes.
/// </summary>
internal sealed class PortAudioStream : IDisposable
{
    private IntPtr _stream;
    private bool _initialised;

    private PortAudioStream() { }

    public static PortAudioStream Open(bool input)
    {
        var direction = input ? "input" : "output";
        var stream = new PortAudioStream();
        try
        {
            Check(Pa_Initialize(), "initialise PortAudio");
            stream._initialised = true;
            var devices = Pa_GetDeviceCount();
            var device = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
            if (devices <= 0 || device == NoDevice)
                throw new MediaDeviceException($"no audio {direction} device: PortAudio found {Math.Max(devices, 0)} device(s) and no default {direction} (is a sound card or a sound server available?)");
            Check(Pa_OpenDefaultStream(out stream._stream, input ? AudioFormat.Channels : 0, input ? 0 : AudioFormat.Channels,
                SampleFormatInt16, AudioFormat.SampleRate, AudioFormat.SamplesPerFrame, IntPtr.Zero, IntPtr.Zero), $"open the default audio {direction}");
            Check(Pa_StartStream(stream._stream), $"start the audio {direction}");
            return stream;
        }
        catch (DllNotFoundException e)
        {
            stream.Dispose();
            throw new MediaDeviceException("PortAudio is not installed (libportaudio.so.2, Debian package libportaudio2)", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public unsafe void Read(short[] samples)
    {
        fixed (short* buffer = samples)
        {
            var code = Pa_ReadStream(_stream, buffer, (nuint)samples.Length);
            if (code != NoError && code != InputOverflowed) Check(code, "read audio");
        }
    }

    public unsafe void Write(short[] samples)
    {
        fixed (short* buffer = samples)
        {
            var code = Pa_WriteStream(_stream, buffer, (nuint)samples.Length);
            if (code != NoError && code != OutputUnderflowed) Check(code, "play audio");
        }
    }

    public void Dispose()
    {
        if (_stream != IntPtr.Zero)
        {
            Pa_StopStream(_stream);
            Pa_CloseStream(_stream);
            _stream = IntPtr.Zero;
        }
        if (_initialised)
        {
            Pa_Terminate();
            _initialised = false;
        }
    }

    private static void Check(int code, string what)
    {
        if (code < NoError) throw new MediaDeviceException($"could not {what}: {ErrorText(code)}");
    }
}

/// <summary>Microphone capture through PortAudio's default input, 20 ms frames timed on the media clock.</summary>
public sealed class PortAudioCapture : IAudioSource
{
    public async IAsyncEnumerable<AudioFrame> ReadFramesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        using var stream = PortAudioStream.Open(input: true);
        long index = 0;
        while (!cancel.IsCancellationRequested)
        {
            var samples = new short[AudioFormat.SamplesPerFrame];
            await Task.Run(() => stream.Read(samples), cancel).ConfigureAwait(false); // blocking read: 20 ms at most
            yield return new AudioFrame(index++, MediaClock.Now, samples);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Playback through PortAudio's default output.</summary>
public sealed class PortAudioPlayback : IAudioSink
{
    private readonly PortAudioStream _stream = PortAudioStream.Open(input: false);

    public ValueTask PlayAsync(AudioFrame frame, CancellationToken cancel = default)
    {
        _stream.Write(frame.Samples);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
