using System.Text;

namespace Pype.Core.Media;

/// <summary>
/// The YUV4MPEG2 container, written only: a one-line stream header, then each picture as
/// "FRAME\n" followed by its raw yuv420p bytes. ffmpeg, ffplay and mpv read it as it is.
/// </summary>
public static class Y4mFormat
{
    public static byte[] StreamHeader(int width, int height, int frameRateNumerator, int frameRateDenominator) =>
        Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F{frameRateNumerator}:{frameRateDenominator} Ip A1:1 C420jpeg\n");

    public static ReadOnlySpan<byte> FrameHeader => "FRAME\n"u8;
}
