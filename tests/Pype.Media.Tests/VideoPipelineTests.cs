using Pype.Core.Media;
using Pype.Media.Video;
using Pype.Lab;
using Xunit.Abstractions;

namespace Pype.Media.Tests;

public sealed class VideoPipelineTests(ITestOutputHelper output) : IDisposable
{
    public void Dispose() => FfmpegTool.AssertNoFfmpegChildren();

    [Fact]
    public async Task Three_seconds_of_testsrc2_survive_encode_and_decode_with_every_frame_in_order()
    {
        using var dir = new TempDirectory();
        const int width = 640, height = 480, fps = 30, count = 90;
        var settings = new H264EncoderSettings(width, height, fps, BitrateKbps: 1500);
        await using var encoder = new H264Encoder(settings);
        await using var decoder = new H264Decoder(width, height);
        encoder.Start();
        decoder.Start();

        var sourceFile = new Y4mFileSink(dir.File("source.y4m"), width, height, fps);
        var decodedFile = new Y4mFileSink(dir.File("decoded.y4m"), width, height, fps);
        await using (var h264 = File.Create(dir.File("out.h264")))
        {
            var feeding = Task.Run(async () =>
            {
                await using var source = new TestPatternSource(width, height, fps);
                await foreach (var frame in source.ReadFramesAsync())
                {
                    await sourceFile.RenderAsync(frame);
                    Assert.True(encoder.Encode(frame));
                    if (frame.Index == count - 1) break;
                }
            });
            var encodeLatencies = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var unit = await encoder.AccessUnits.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
                Assert.Equal(i, unit.FrameIndex);
                encodeLatencies.Add(unit.EncodeLatency.TotalMilliseconds);
                await h264.WriteAsync(unit.Data);
                decoder.Decode(unit);
            }
            await feeding;
            var decodeLatencies = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var decoded = await decoder.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
                Assert.Equal(i, decoded.Frame.Index);
                Assert.Equal(i, FrameStamp.Read(decoded.Frame.Yuv420p, width, height));
                decodeLatencies.Add(decoded.DecodeLatency.TotalMilliseconds);
                await decodedFile.RenderAsync(decoded.Frame);
            }
            output.WriteLine($"encode latency per frame: {Summary(encodeLatencies)}");
            output.WriteLine($"decode latency per frame: {Summary(decodeLatencies)}");
        }
        await sourceFile.DisposeAsync();
        await decodedFile.DisposeAsync();

        var psnr = FfmpegTool.Run("ffmpeg", "-hide_banner", "-i", dir.File("decoded.y4m"), "-i", dir.File("source.y4m"), "-lavfi", "psnr", "-f", "null", "-");
        var line = psnr.Errors.Split('\n').Last(l => l.Contains("PSNR y:"));
        var y = double.Parse(line[(line.IndexOf("y:", StringComparison.Ordinal) + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine(line.Trim());
        Assert.True(y >= 32, $"PSNR-Y {y} dB is below 32 dB");

        var probe = FfmpegTool.Run("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", dir.File("out.h264"));
        Assert.Equal(0, probe.ExitCode);
        Assert.Equal("", probe.Errors.Trim());
        Assert.Equal($"h264,{width},{height},{count}", probe.Output.Trim());
    }

    internal static string Summary(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return $"median {sorted[sorted.Count / 2]:F1} ms, p90 {sorted[sorted.Count * 9 / 10]:F1} ms, max {sorted[^1]:F1} ms (first {ms[0]:F1} ms)";
    }
}
