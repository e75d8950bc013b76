using Pype.Core.Media;
using Pype.Media.Audio;
using Pype.Media.Video;

namespace Pype.Media;

/// <summary>Shows each picture and records it: one decoded stream, two outputs.</summary>
public sealed class TeeVideoSink(IVideoSink first, IVideoSink second) : IVideoSink
{
    public async ValueTask RenderAsync(VideoFrame frame, CancellationToken cancel = default)
    {
        await first.RenderAsync(frame, cancel).ConfigureAwait(false);
        await second.RenderAsync(frame, cancel).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await first.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await second.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Plays each audio frame and records it.</summary>
public sealed class TeeAudioSink(IAudioSink first, IAudioSink second) : IAudioSink
{
    public async ValueTask PlayAsync(AudioFrame frame, CancellationToken cancel = default)
    {
        await first.PlayAsync(frame, cancel).ConfigureAwait(false);
        await second.PlayAsync(frame, cancel).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await first.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await second.DisposeAsync().ConfigureAwait(false);
        }
    }
}
