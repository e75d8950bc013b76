namespace Pype.Core.Media;

/// <summary>
/// One raw picture in planar yuv420p (Y plane, then U, then V), the only pixel format the media
/// pipeline passes around. <paramref name="CaptureTime"/> is read from the process's monotonic
/// media clock when the frame left its source, so latency is a subtraction on one clock.
/// </summary>
public sealed record VideoFrame(long Index, TimeSpan CaptureTime, int Width, int Height, byte[] Yuv420p)
{
    public static int SizeOf(int width, int height) => width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2);
}
