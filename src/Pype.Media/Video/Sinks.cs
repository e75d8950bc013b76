using Pype.Core.Media;

namespace Pype.Media.Video;

/// <summary>
/// Writes pictures to a .y4m file that ffmpeg, ffplay or mpv can open, or to a named pipe one of
/// them reads as it grows. Unbuffered: with FileStream's buffer, the header written at open sat in
/// the buffer while the first frame's asynchronous write went past it, so a pipe's reader got
/// "FRAME" as its first bytes, not a stream.
/// </summary>
public sealed class Y4mFileSink : IVideoSink
{
    private readonly FileStream _file;

    public Y4mFileSink(string path, int width, int height, int frameRate)
    {
        (Width, Height) = (width, height);
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _file.Write(Y4mFormat.StreamHeader(width, height, frameRate, 1));
    }

    public int Width { get; }
    public int Height { get; }
    public long FramesWritten { get; private set; }

    public async ValueTask RenderAsync(VideoFrame frame, CancellationToken cancel = default)
    {
        if (frame.Width != Width || frame.Height != Height) throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, file is {Width}x{Height}", nameof(frame));
        await _file.WriteAsync(Y4mFormat.FrameHeader.ToArray(), cancel).ConfigureAwait(false);
        await _file.WriteAsync(frame.Yuv420p.AsMemory(0, VideoFrame.SizeOf(Width, Height)), cancel).ConfigureAwait(false);
        FramesWritten++;
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}

/// <summary>Drops every picture, counting them.</summary>
public sealed class NullSink : IVideoSink
{
    public long FramesRendered { get; private set; }

    public ValueTask RenderAsync(VideoFrame frame, CancellationToken cancel = default)
    {
        FramesRendered++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Draws pictures in the terminal with 24-bit colour half blocks, two pixels per cell.</summary>
public sealed class AnsiTerminalSink(TextWriter terminal, int columns, int rows) : IVideoSink
{
    public async ValueTask RenderAsync(VideoFrame frame, CancellationToken cancel = default)
    {
        await terminal.WriteAsync(AnsiFrameRenderer.Render(frame.Yuv420p, frame.Width, frame.Height, columns, rows).AsMemory(), cancel).ConfigureAwait(false);
        await terminal.FlushAsync(cancel).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
