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
}
