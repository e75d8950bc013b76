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
    public void A_format_off_the_ladder_is_its_own_top_rung_and_halves_its_frame_rate_before_its_size()
    {
        var ladder = VideoRung.LadderWithin(800, 600, 25);
        Assert.Equal(
            [(800, 600, 25, 1_000_000L), (800, 600, 15, 600_000), (640, 480, 25, 350_000), (640, 480, 15, 200_000), (320, 240, 25, 100_000), (320, 240, 15, 0)],
            ladder.Select(r => (r.Width, r.Height, r.FrameRate, r.MinBitrate)));
    }

    [Fact]
    public void A_wide_picture_smaller_than_a_box_still_steps_its_frame_rate_down_first()
    {
        var ladder = VideoRung.LadderWithin(640, 360, 30);
        Assert.Equal(
            [(640, 360, 30, 350_000L), (640, 360, 15, 200_000), (320, 180, 30, 100_000), (320, 180, 15, 0)],
            ladder.Select(r => (r.Width, r.Height, r.FrameRate, r.MinBitrate)));
    }

    [Fact]
    public void Every_ladder_starts_at_the_call_format_goes_down_in_floors_and_never_exceeds_the_call()
    {
        foreach (var (w, h, fps) in new[] { (1920, 1080, 60), (1280, 720, 30), (1024, 768, 24), (640, 360, 30), (352, 288, 12), (160, 120, 10), (16, 16, 1) })
        {
            var ladder = VideoRung.LadderWithin(w, h, fps);
            Assert.Equal((w, h, fps), (ladder[0].Width, ladder[0].Height, ladder[0].FrameRate));
            Assert.All(ladder, r => Assert.True(r.Width <= w && r.Height <= h && r.FrameRate <= fps && r.Width % 2 == 0 && r.Height % 2 == 0));
            Assert.Equal(ladder.Count, ladder.Select(r => (r.Width, r.Height, r.FrameRate)).Distinct().Count());
            // A call format above the ladder shares the floor of the first rung below it.
            if (ladder.Count > 1) Assert.True(ladder[1].MinBitrate <= ladder[0].MinBitrate);
            for (var i = 2; i < ladder.Count; i++) Assert.True(ladder[i].MinBitrate < ladder[i - 1].MinBitrate, $"{w}x{h}@{fps}: floors not falling at rung {i}");
            Assert.Equal(0, ladder[^1].MinBitrate);
        }
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
