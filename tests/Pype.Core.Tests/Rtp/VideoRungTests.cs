using Pype.Core.Rtp.RateControl;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class VideoRungTests
{
    [Fact]
    public void A_ladder_within_640x480_at_30_starts_there_and_never_goes_larger()
    {
        var ladder = VideoRung.LadderWithin(640, 480, 30);
        Assert.Equal(new VideoRung(640, 480, 30, 350_000), ladder[0]);
        Assert.All(ladder, r => Assert.True(r.Width <= 640 && r.Height <= 480 && r.FrameRate <= 30));
        Assert.Equal(4, ladder.Count);
        Assert.Equal(0, ladder[^1].MinBitrate);
    }

    [Fact]
    public void A_format_off_the_ladder_is_its_own_top_rung()
    {
        var ladder = VideoRung.LadderWithin(800, 600, 25);
        Assert.Equal(new VideoRung(800, 600, 25, 200_000), ladder[0]);
        Assert.Equal(new VideoRung(640, 480, 15, 200_000), ladder[1]);
    }

    [Fact]
    public void A_format_below_every_rung_is_a_ladder_of_one()
    {
        var ladder = VideoRung.LadderWithin(160, 120, 10);
        Assert.Equal([new VideoRung(160, 120, 10, 0)], ladder);
    }

    [Fact]
    public void A_wide_picture_keeps_its_shape_on_every_lower_rung()
    {
        var ladder = VideoRung.LadderWithin(1280, 720, 30);
        Assert.Equal(
            [(1280, 720, 30), (1280, 720, 15), (640, 360, 30), (640, 360, 15), (320, 180, 30), (320, 180, 15)],
            ladder.Select(r => (r.Width, r.Height, r.FrameRate)));
        Assert.Equal([1_000_000L, 600_000, 350_000, 200_000, 100_000, 0], ladder.Select(r => r.MinBitrate));
    }
}
