using Pype.Core.Media;
using Pype.Media.Processes;
using Pype.Media.Video;
using Xunit.Abstractions;

namespace Pype.Media.Tests;

public sealed class VideoSourceTests(ITestOutputHelper output) : IDisposable
{
    public void Dispose() => FfmpegTool.AssertNoFfmpegChildren();

    [Fact]
    public async Task Test_pattern_frames_carry_their_index_in_the_picture_and_arrive_in_real_time()
    {
        await using var source = new TestPatternSource(480, 270, 30);
        var frames = new List<VideoFrame>();
        await foreach (var frame in source.ReadFramesAsync())
        {
            frames.Add(frame);
            if (frames.Count == 15) break;
        }
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), frames.Select(f => f.Index));
        Assert.All(frames, f => Assert.Equal(f.Index, FrameStamp.Read(f.Yuv420p, 480, 270)));
        var span = frames[^1].CaptureTime - frames[0].CaptureTime;
        output.WriteLine($"14 frame intervals took {span.TotalMilliseconds:F0} ms");
        Assert.InRange(span.TotalMilliseconds, 14 * 33 * 0.8, 14 * 33 * 3);
    }
}
