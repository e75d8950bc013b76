using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Media;

public sealed class MediaStatsAccumulatorTests
{
    [Fact]
    public void Counters_and_drops_add_up_by_name()
    {
        var stats = new MediaStatsAccumulator();
        stats.Add(MediaCounter.PacketsSent);
        stats.Add(MediaCounter.PacketsSent, 4);
        stats.Drop("foreign-ssrc");
        stats.Drop("foreign-ssrc", 2);
        stats.Drop("too-late", 0);
        Assert.Equal(5, stats[MediaCounter.PacketsSent]);
        Assert.Equal(0, stats[MediaCounter.BytesSent]);
        Assert.Equal(new Dictionary<string, long> { ["foreign-ssrc"] = 3 }, stats.DropsByReason());
    }

    [Fact]
    public void Latency_percentiles_use_the_nearest_rank()
    {
        var window = new LatencyWindow();
        Assert.Null(window.Percentile(50));
        foreach (var ms in new[] { 40, 10, 30, 20, 100 }) window.Add(TimeSpan.FromMilliseconds(ms));
        Assert.Equal(TimeSpan.FromMilliseconds(30), window.Percentile(50));
        Assert.Equal(TimeSpan.FromMilliseconds(100), window.Percentile(95));
        Assert.Equal(TimeSpan.FromMilliseconds(10), window.Percentile(1));
    }

    [Fact]
    public void The_latency_window_forgets_the_oldest_samples()
    {
        var window = new LatencyWindow();
        for (var i = 0; i < LatencyWindow.Capacity; i++) window.Add(TimeSpan.FromSeconds(10));
        for (var i = 0; i < LatencyWindow.Capacity; i++) window.Add(TimeSpan.FromMilliseconds(5));
        Assert.Equal(LatencyWindow.Capacity, window.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(5), window.Percentile(100));
    }

    [Fact]
    public void A_hold_deadline_runs_from_the_oldest_packet_waiting()
    {
        var deadline = new HoldDeadline(TimeSpan.FromMilliseconds(50));
        Assert.False(deadline.IsDue(TimeSpan.FromSeconds(5)));
        deadline.PacketTaken(TimeSpan.FromMilliseconds(100));
        deadline.PacketTaken(TimeSpan.FromMilliseconds(140));
        Assert.False(deadline.IsDue(TimeSpan.FromMilliseconds(149)));
        Assert.True(deadline.IsDue(TimeSpan.FromMilliseconds(150)));
        deadline.Progressed();
        Assert.False(deadline.IsDue(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void A_hold_deadline_names_its_due_time_only_while_something_waits()
    {
        var deadline = new HoldDeadline(TimeSpan.FromMilliseconds(50));
        Assert.Null(deadline.Deadline);
        deadline.PacketTaken(TimeSpan.FromMilliseconds(100));
        deadline.PacketTaken(TimeSpan.FromMilliseconds(140));
        Assert.Equal(TimeSpan.FromMilliseconds(150), deadline.Deadline);
        deadline.MaxHold = TimeSpan.FromMilliseconds(80);
        Assert.Equal(TimeSpan.FromMilliseconds(180), deadline.Deadline);
        deadline.Progressed();
        Assert.Null(deadline.Deadline);
    }
}
