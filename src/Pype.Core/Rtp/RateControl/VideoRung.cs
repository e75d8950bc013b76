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
    /// <see cref="DefaultLadder"/> brought within what was negotiated, with the negotiated format on
    /// top, so the controller never asks for more than the call may send. Each rung becomes the
    /// largest picture of the call's shape within its box and no larger than the call's, at no more
    /// than the call's frame rate (1280x720 steps down to 640x360, not 640x480; a 640x360 call still
    /// halves its frame rate before its size). Rungs that come out the same are one, at the lowest
    /// floor among them: the floor of the box where that picture naturally belongs. The last rung's
    /// floor is always 0.
    /// </summary>
    public static IReadOnlyList<VideoRung> LadderWithin(int width, int height, int frameRate)
    {
        // DefaultLadder goes down in floors, so the last of a group has the lowest.
        var rungs = DefaultLadder.Select(box => Within(box, width, height, frameRate))
            .GroupBy(rung => (rung.Width, rung.Height, rung.FrameRate))
            .Select(same => same.Last())
            .OrderByDescending(rung => rung.MinBitrate)
            .ToList();
        if ((rungs[0].Width, rungs[0].Height, rungs[0].FrameRate) != (width, height, frameRate))
            rungs.Insert(0, new VideoRung(width, height, frameRate, rungs[0].MinBitrate));
        rungs[^1] = rungs[^1] with { MinBitrate = 0 };
        return rungs;
    }

    private static VideoRung Within(VideoRung box, int width, int height, int frameRate)
    {
        var scale = Math.Min(1, Math.Min(box.Width / (double)width, box.Height / (double)height));
        return box with { Width = Even(width * scale), Height = Even(height * scale), FrameRate = Math.Min(box.FrameRate, frameRate) };
    }

    private static int Even(double value) => Math.Max(16, (int)Math.Floor(value + 1e-9) & ~1);
}
