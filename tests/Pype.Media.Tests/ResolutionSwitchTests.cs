using Pype.Core.Media;
using Pype.Media.Video;
using Pype.Lab;
using Xunit.Abstractions;

namespace Pype.Media.Tests;

/// <summary>
/// The resolution rung end to end through real ffmpeg: the encoder scales frames down in its
/// standby process and switches to it with an IDR carrying a new SPS; the receiver's decoder keeps
/// putting out pictures at its own configured size.
/// </summary>
public sealed class ResolutionSwitchTests(ITestOutputHelper output) : IDisposable
{
    private const int Width = 640, Height = 480;

    public void Dispose() => FfmpegTool.AssertNoFfmpegChildren();

    private static VideoFrame Frame(long index)
    {
        var yuv = new byte[VideoFrame.SizeOf(Width, Height)];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
                yuv[y * Width + x] = (byte)(40 + (x + y + index * 3) % 160);
        yuv.AsSpan(Width * Height).Fill(128);
        FrameStamp.Write(yuv, Width, Height, index);
        return new VideoFrame(index, MediaClock.Now, Width, Height, yuv);
    }

    [Fact]
    public async Task A_stream_switching_640x480_to_320x240_and_back_decodes_at_the_configured_size_without_errors()
    {
        using var dir = new TempDirectory();
        var full = new H264EncoderSettings(Width, Height, 30, BitrateKbps: 1000, KeyframeInterval: 600);
        var small = full with { BitrateKbps = 300, EncodedSize = (320, 240) };
        await using var encoder = new H264Encoder(full);
        await using var decoder = new H264Decoder(Width, Height);
        encoder.Start();
        decoder.Start();
        var units = new List<EncodedAccessUnit>();
        var stamps = new List<long?>();
        await using (var h264 = File.Create(dir.File("switching.h264")))
        {
            for (var i = 0; i < 90; i++)
            {
                if (i is 30 or 60)
                {
                    encoder.Reconfigure(i == 30 ? small : full);
                    await Task.Delay(500); // the standby starts, as the encoder stage lets it
                    encoder.RequestKeyframe();
                    Assert.Equal(i == 30 ? (320, 240) : (Width, Height), encoder.ActiveSettings.EncodedSize);
                }
                Assert.True(encoder.Encode(Frame(i)));
                var unit = await encoder.AccessUnits.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
                units.Add(unit);
                await h264.WriteAsync(unit.Data);
                decoder.Decode(unit);
                var decoded = await decoder.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
                Assert.Equal((Width, Height, VideoFrame.SizeOf(Width, Height)), (decoded.Frame.Width, decoded.Frame.Height, decoded.Frame.Yuv420p.Length));
                Assert.Equal(i, decoded.Frame.Index);
                stamps.Add(FrameStamp.Read(decoded.Frame.Yuv420p, Width, Height));
            }
        }

        output.WriteLine($"access units: {string.Join(", ", units.Chunk(30).Select(c => $"{c[0].Width}x{c[0].Height} {c.Sum(u => u.Data.Length) / 1024} KiB"))}; " +
                         $"keyframes at {string.Join(",", units.Where(u => u.IsKeyframe).Select(u => u.FrameIndex))}");
        Assert.Equal([0L, 30L, 60L], units.Where(u => u.IsKeyframe).Select(u => u.FrameIndex));
        Assert.All(units, u => Assert.Equal(u.FrameIndex is >= 30 and < 60 ? (320, 240) : (Width, Height), (u.Width, u.Height)));
        // The stamp (16x16 blocks) survives a halving and the decoder's scaling back up. Right after a
        // switch x264 may send one picture unchanged (its primed process knew only a black frame, so
        // it spent freely on the IDR): at most one repeat in the three frames after each switch.
        output.WriteLine($"stamps after the switches: {string.Join(",", stamps.Skip(29).Take(5))} … {string.Join(",", stamps.Skip(59).Take(5))}");
        for (var i = 0; i < 90; i++)
        {
            var repeatAllowed = i is 31 or 32 or 33 or 61 or 62 or 63 && stamps[i] == i - 1 && stamps[i - 1] == i - 1;
            Assert.True(stamps[i] == i || repeatAllowed, $"frame {i} shows stamp {stamps[i]}");
        }

        // What is on the wire really changes size: stock ffprobe sees 30 + 30 + 30 pictures of each size.
        var probe = FfmpegTool.Run("ffprobe", "-v", "error", "-show_entries", "frame=width,height", "-of", "csv=p=0", dir.File("switching.h264"));
        Assert.Equal("", probe.Errors.Trim());
        var sizes = probe.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().TrimEnd(',')).ToList(); // ffprobe ends some csv lines with an empty side-data column
        Assert.Equal([.. Enumerable.Repeat("640,480", 30), .. Enumerable.Repeat("320,240", 30), .. Enumerable.Repeat("640,480", 30)], sizes);

        // Stock ffmpeg with the receiver's decoder line decodes the whole stream at 640x480, silently.
        var decode = FfmpegTool.Run("ffmpeg", "-v", "error", "-probesize", "32", "-analyzeduration", "0", "-flags", "low_delay", "-f", "h264", "-i", dir.File("switching.h264"),
            "-fps_mode", "passthrough", "-threads", "1", "-pix_fmt", "yuv420p", "-s", $"{Width}x{Height}", "-f", "rawvideo", dir.File("decoded.yuv"));
        Assert.Equal((0, ""), (decode.ExitCode, decode.Errors.Trim()));
        Assert.Equal(90L * VideoFrame.SizeOf(Width, Height), new FileInfo(dir.File("decoded.yuv")).Length);
    }
}
