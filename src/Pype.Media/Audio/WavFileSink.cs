using Pype.Core.Media;

namespace Pype.Media.Audio;

/// <summary>Writes 48 kHz mono 16-bit frames to a .wav file; the header's sizes are filled in on dispose.</summary>
public sealed class WavFileSink : IAudioSink
{
    private readonly FileStream _file;
    private long _dataBytes;

    public WavFileSink(string path)
    {
        _file = File.Create(path);
        _file.Write(WavFormat.Header(AudioFormat.SampleRate, AudioFormat.Channels, 0));
    }

    public async ValueTask PlayAsync(AudioFrame frame, CancellationToken cancel = default)
    {
        var pcm = AudioFormat.BytesFromSamples(frame.Samples);
        await _file.WriteAsync(pcm, cancel).ConfigureAwait(false);
        _dataBytes += pcm.Length;
    }

    public async ValueTask DisposeAsync()
    {
        _file.Position = 0;
        await _file.WriteAsync(WavFormat.Header(AudioFormat.SampleRate, AudioFormat.Channels, _dataBytes)).ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
