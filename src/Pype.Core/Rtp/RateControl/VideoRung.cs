namespace Pype.Core.Rtp.RateControl;

/// <summary>One step of the video quality ladder: what the encoder is asked for, and the lowest target bitrate it is used at.</summary>
public readonly record struct VideoRung(int Width, int Height, int FrameRate, long MinBitrate)
{
    /// <summary>
    /// Pype's ladder, best first. At each resolution the frame rate halves first (motion suffers
    /// less from 15 fps than detail from a quarter of the pixels), then the resolution steps down.
    /// The floors keep bits per pixel per frame roughly even across rungs (about 0.03–0.06 for
    /// x264 ultrafast, where pictures start to fall apart below it).
    /// </summary>
    public static readonly IReadOnlyList<VideoRung> DefaultLadder =
    [
        new(1280, 720, 30, 1_000_000),
        new(1280, 720, 15, 600_000),
        new(640, 480, 30, 350_000),
        new(640, 480, 15, 200_000),
        new(320, 240, 30, 100_000),
        new(320, 240, 15, 0),
    ];

    /// <summary>
    /// The rungs of <see cref="DefaultLadder"/> no larger or faster than what was negotiated, with the
    /// negotiated format itself on top (at the floor of the first rung it replaces), so the
    /// controller never asks for more than the call may send. The last rung's floor is always 0.
    /// A lower rung keeps the picture's aspect ratio: its size is the largest one of that shape
    /// within the rung's box, even on both sides (1280x720 steps down to 640x360, not 640x480).
    /// </summary>
    public static IReadOnlyList<VideoRung> LadderWithin(int width, int height, int frameRate)
    {
        var fitting = DefaultLadder.Where(r => r.Width <= width && r.Height <= height && r.FrameRate <= frameRate)
            .Select(r => KeepingAspect(r, width, height)).ToList();
        var top = new VideoRung(width, height, frameRate, fitting.Count > 0 ? fitting[0].MinBitrate : 0);
        if (fitting.Count > 0 && (fitting[0].Width, fitting[0].Height, fitting[0].FrameRate) == (width, height, frameRate))
            fitting.RemoveAt(0);
        List<VideoRung> ladder = [top, .. fitting];
        ladder[^1] = ladder[^1] with { MinBitrate = 0 };
        return ladder;
    }

    private static VideoRung KeepingAspect(VideoRung box, int width, int height)
    {
        var scale = Math.Min(box.Width / (double)width, box.Height / (double)height);
        return box with { Width = Even(width * scale), Height = Even(height * scale) };
    }

    private static int Even(double value) => Math.Max(16, (int)Math.Floor(value + 1e-9) & ~1);
}
