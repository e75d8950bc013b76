using Pype.Core.Calls;

namespace Pype.Core.Media;

/// <summary>
/// What a call's video is sent as: the configured capture format brought within the limits both
/// sides agreed to. The picture keeps its aspect ratio when it has to shrink, and both sides stay
/// even, as yuv420p needs.
/// </summary>
public readonly record struct VideoSendFormat(int Width, int Height, int FrameRate, int BitrateKbps)
{
    /// <summary>yuv420p halves both dimensions for chroma; the smallest picture worth sending.</summary>
    public const int MinDimension = 16;

    public static VideoSendFormat Within(int width, int height, int frameRate, int bitrateKbps, VideoLimits limits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, MinDimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, MinDimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bitrateKbps, 1);
        var scale = Math.Min(1.0, Math.Min(limits.MaxWidth / (double)width, limits.MaxHeight / (double)height));
        return new VideoSendFormat(
            Even(width * scale),
            Even(height * scale),
            Math.Min(frameRate, Math.Max((int)limits.MaxFramesPerSecond, 1)),
            (int)Math.Min(bitrateKbps, Math.Max(limits.MaxKilobitsPerSecond, 1)));
    }

    /// <summary>A keyframe every <paramref name="interval"/>, in frames at this rate (at least one).</summary>
    public int KeyframeIntervalFrames(TimeSpan interval) => Math.Max(1, (int)Math.Round(interval.TotalSeconds * FrameRate));

    private static int Even(double value) => Math.Max(MinDimension, (int)Math.Floor(value) & ~1);
}
