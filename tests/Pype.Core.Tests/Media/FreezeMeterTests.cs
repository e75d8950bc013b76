using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class FreezeMeterTests
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Steady_frames_and_short_gaps_are_no_freeze()
    {
        var meter = new FreezeMeter();
        for (var t = 1000; t < 2000; t += 33) meter.FrameShown(Ms(t));
        meter.FrameShown(Ms(2150));
        Assert.Equal(TimeSpan.Zero, meter.Total(Ms(2160)));
        Assert.Equal(0, meter.Freezes);
    }

    [Fact]
    public void A_long_gap_counts_whole_and_a_stall_in_progress_counts_so_far()
    {
        var meter = new FreezeMeter();
        meter.FrameShown(Ms(5000));
        meter.FrameShown(Ms(5300));
        Assert.Equal(Ms(300), meter.Total(Ms(5310)));
        Assert.Equal(Ms(300 + 500), meter.Total(Ms(5800)));
        Assert.Equal(1, meter.Freezes);
    }

    [Fact]
    public void Nothing_counts_before_the_first_frame()
    {
        var meter = new FreezeMeter();
        Assert.Equal(TimeSpan.Zero, meter.Total(Ms(10_000)));
    }
}
