using Pype.Core.Media;

namespace Pype.Media.Video;

/// <summary>Raw yuv420p pictures of a fixed size, numbered from 0 and timed on <see cref="MediaClock"/>.</summary>
public interface IVideoSource : IAsyncDisposable
{
    int Width { get; }
    int Height { get; }
    int FrameRate { get; }

    /// <summary>Starts the source and yields its frames until it ends, fails, or <paramref name="cancel"/> fires.
    /// A source that cannot be opened throws <see cref="Processes.MediaDeviceException"/>.</summary>
    IAsyncEnumerable<VideoFrame> ReadFramesAsync(CancellationToken cancel = default);
}

/// <summary>Somewhere decoded pictures go.</summary>
public interface IVideoSink : IAsyncDisposable
{
    ValueTask RenderAsync(VideoFrame frame, CancellationToken cancel = default);
}
