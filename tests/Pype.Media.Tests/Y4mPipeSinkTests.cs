using System.Diagnostics;
using Pype.Core.Media;
using Pype.Lab;
using Pype.Media.Video;

namespace Pype.Media.Tests;

/// <summary>A y4m sink on a named pipe: whoever reads it must get a valid stream from its first byte.</summary>
public sealed class Y4mPipeSinkTests
{
    [Fact]
    public async Task A_reader_of_a_named_pipe_gets_the_stream_header_first_then_each_frame_whole()
    {
        using var dir = new TempDirectory();
        var fifo = dir.File("video.y4m");
        using (var mkfifo = Process.Start("mkfifo", fifo)) await mkfifo.WaitForExitAsync();
        const int width = 64, height = 48;
        // Another process reads, as a player would.
        using var reader = Process.Start(new ProcessStartInfo("sh", ["-c", $"cat '{fifo}' > '{dir.File("read.y4m")}'"]))!;

        await using (var sink = new Y4mFileSink(fifo, width, height, 30))
        {
            for (var i = 0; i < 3; i++)
            {
                var yuv = new byte[VideoFrame.SizeOf(width, height)];
                Array.Fill(yuv, (byte)(40 + i));
                await sink.RenderAsync(new VideoFrame(i, MediaClock.Now, width, height, yuv));
            }
        }
        if (!reader.WaitForExit(20_000))
        {
            reader.Kill(entireProcessTree: true);
            Assert.Fail($"the reader never saw the end; it read {new FileInfo(dir.File("read.y4m")).Length} bytes");
        }
        var bytes = await File.ReadAllBytesAsync(dir.File("read.y4m"));

        var header = Y4mFormat.StreamHeader(width, height, 30, 1);
        Assert.Equal(header, bytes[..header.Length]);
        var frame = Y4mFormat.FrameHeader.Length + VideoFrame.SizeOf(width, height);
        Assert.Equal(header.Length + 3 * frame, bytes.Length);
        for (var i = 0; i < 3; i++)
        {
            var at = header.Length + i * frame;
            Assert.Equal(Y4mFormat.FrameHeader.ToArray(), bytes[at..(at + Y4mFormat.FrameHeader.Length)]);
            Assert.Equal((byte)(40 + i), bytes[at + Y4mFormat.FrameHeader.Length]);
        }
    }
}
