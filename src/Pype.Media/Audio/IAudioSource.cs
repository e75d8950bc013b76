using Pype.Core.Media;

namespace Pype.Media.Audio;

/// <summary>20 ms frames of 48 kHz mono audio (<see cref="AudioFormat"/>), numbered from 0.</summary>
public interface IAudioSource : IAsyncDisposable
{
    IAsyncEnumerable<AudioFrame> ReadFramesAsync(CancellationToken cancel = default);
}

/// <summary>Somewhere decoded audio goes.</summary>
public interface IAudioSink : IAsyncDisposable
{
    ValueTask PlayAsync(AudioFrame frame, CancellationToken cancel = default);
}
