using Pype.Core.Media;
using Pype.Media.Audio;

namespace Pype.Testing;

/// <summary>Test oracles for decoded media: tone power, y4m frames and luma PSNR.</summary>
internal static class MediaSignals
{
    /// <summary>Goertzel power of one frequency over the whole signal.</summary>
    public static double Power(short[] signal, double hz)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * hz / AudioFormat.SampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in signal)
        {
            var current = sample / 32768.0 + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
    }

    /// <summary>The strongest of the candidate frequencies (by default 125 Hz to 4 kHz in 125 Hz steps).</summary>
    public static double DominantFrequency(short[] signal, IEnumerable<double>? candidates = null) =>
        (candidates ?? Enumerable.Range(1, 32).Select(i => i * 125.0)).MaxBy(hz => Power(signal, hz));

    public static async Task<short[]> ReadWavAsync(string path)
    {
        var samples = new List<short>();
        await using var wav = new WavFileSource(path, realTime: false);
        await foreach (var frame in wav.ReadFramesAsync()) samples.AddRange(frame.Samples);
        return [.. samples];
    }

    /// <summary>The pictures of a y4m file as written by Y4mFileSink (no per-frame parameters).</summary>
    public static List<byte[]> ReadY4mFrames(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        var offset = Array.IndexOf(bytes, (byte)'\n') + 1;
        var size = VideoFrame.SizeOf(width, height);
        var frameHeader = Y4mFormat.FrameHeader.Length;
        var frames = new List<byte[]>();
        while (offset + frameHeader + size <= bytes.Length)
        {
            frames.Add(bytes.AsSpan(offset + frameHeader, size).ToArray());
            offset += frameHeader + size;
        }
        return frames;
    }

    /// <summary>PSNR of the luma planes in dB (99 for identical pictures).</summary>
    public static double LumaPsnr(byte[] a, byte[] b, int width, int height)
    {
        double squared = 0;
        for (var i = 0; i < width * height; i++)
        {
            var d = a[i] - b[i];
            squared += d * d;
        }
        var mse = squared / (width * height);
        return mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>The test source's first <paramref name="count"/> pictures, made again by stock ffmpeg with the same filters and stamped with their index.</summary>
    public static List<byte[]> SourceFrames(string dir, int count, int width, int height, int frameRate)
    {
        var path = Path.Combine(dir, "source.yuv");
        var run = FfmpegTool.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={frameRate}",
            "-an", "-vf", $"scale={width}:{height},fps={frameRate}", "-pix_fmt", "yuv420p", "-frames:v", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", "rawvideo", "-y", path);
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Errors);
        var bytes = File.ReadAllBytes(path);
        var size = VideoFrame.SizeOf(width, height);
        var frames = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var frame = bytes.AsSpan(i * size, size).ToArray();
            FrameStamp.Write(frame, width, height, i);
            frames.Add(frame);
        }
        File.Delete(path);
        return frames;
    }

    /// <summary>Stock ffprobe reads the file: (frames it counted, its error output).</summary>
    public static (int Frames, string Errors) ProbeY4m(string y4m)
    {
        var probe = FfmpegTool.Run("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", y4m);
        return (int.TryParse(probe.Output.Trim(), out var frames) ? frames : -1, probe.Errors.Trim());
    }

    /// <summary>The pictures of a y4m file one at a time, without holding the file in memory.</summary>
    public static IEnumerable<byte[]> EnumerateY4mFrames(string path, int width, int height)
    {
        using var file = new BufferedStream(File.OpenRead(path), 1 << 20);
        while (file.ReadByte() is var b && b is not -1 and not '\n') { }
        var size = VideoFrame.SizeOf(width, height);
        var header = new byte[Y4mFormat.FrameHeader.Length];
        while (true)
        {
            var frame = new byte[size];
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length) yield break;
            if (file.ReadAtLeast(frame, size, throwOnEndOfStream: false) < size) yield break;
            yield return frame;
        }
    }

    /// <summary>Writes the test source's first <paramref name="count"/> pictures (unstamped) to a raw yuv420p file, for <see cref="ReadSourceFrame"/>.</summary>
    public static string WriteSourceFile(string dir, int count, int width, int height, int frameRate)
    {
        var path = Path.Combine(dir, $"source-{width}x{height}.yuv");
        var run = FfmpegTool.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={frameRate}",
            "-an", "-vf", $"scale={width}:{height},fps={frameRate}", "-pix_fmt", "yuv420p", "-frames:v", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", "rawvideo", "-y", path);
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Errors);
        return path;
    }

    /// <summary>One source picture from a <see cref="WriteSourceFile"/> file, stamped as the sender stamps it.</summary>
    public static byte[] ReadSourceFrame(string sourceFile, long index, int width, int height)
    {
        var size = VideoFrame.SizeOf(width, height);
        var frame = new byte[size];
        using var file = File.OpenRead(sourceFile);
        file.Seek(index * size, SeekOrigin.Begin);
        file.ReadExactly(frame);
        FrameStamp.Write(frame, width, height, index);
        return frame;
    }
}
