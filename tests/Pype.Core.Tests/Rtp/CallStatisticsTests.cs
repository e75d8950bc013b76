using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class CallStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly long StartMicroseconds = (Start - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    [Fact]
    public void Bitrates_and_frame_rates_cover_the_last_second()
    {
        var stats = new CallStatistics();
        for (var ms = 0; ms < 3000; ms += 10)
        {
            var now = Start + TimeSpan.FromMilliseconds(ms);
            stats.OnPacketSent(now, 1000); // 800 kb/s
            stats.OnPacketReceived(now, 500); // 400 kb/s
            if (ms % 40 == 0)
            {
                stats.OnFrameSent(now); // 25 fps
                stats.OnFrameRendered(now, null);
            }
        }

        var snapshot = stats.Snapshot(Start + TimeSpan.FromMilliseconds(2995));

        Assert.Equal(800_000, snapshot.SendBitrate);
        Assert.Equal(400_000, snapshot.ReceiveBitrate);
        Assert.Equal(25, snapshot.SendFrameRate);
        Assert.Equal(25, snapshot.ReceiveFrameRate);
        Assert.Equal(300, snapshot.PacketsSent);
        Assert.Null(snapshot.GlassToGlassP50Ms);
    }

    [Fact]
    public void Glass_to_glass_percentiles_come_from_capture_timestamps()
    {
        var stats = new CallStatistics();
        for (var i = 0; i < 100; i++)
        {
            var capture = StartMicroseconds + i * 33_000;
            // Latencies 100..199 ms: p50 = 149, p95 = 194 by nearest rank.
            stats.OnFrameRendered(Start + TimeSpan.FromMicroseconds(i * 33_000 + (100 + i) * 1000), capture);
        }
        stats.OnRoundTrip(TimeSpan.FromMilliseconds(42));
        stats.OnLoss(0.01);

        var snapshot = stats.Snapshot(Start + TimeSpan.FromSeconds(3.5));

        Assert.Equal(149, snapshot.GlassToGlassP50Ms!.Value, 3);
        Assert.Equal(194, snapshot.GlassToGlassP95Ms!.Value, 3);
        Assert.Equal(42, snapshot.RoundTripMs);
        Assert.Equal(0.01, snapshot.LossFraction);
        Assert.Null(snapshot.RemoteLossFraction);
    }

    [Fact]
    public void Old_samples_leave_the_windows()
    {
        var stats = new CallStatistics();
        stats.OnPacketSent(Start, 1000);
        stats.OnFrameRendered(Start, StartMicroseconds);

        var snapshot = stats.Snapshot(Start + TimeSpan.FromSeconds(6));

        Assert.Equal(0, snapshot.SendBitrate);
        Assert.Null(snapshot.GlassToGlassP50Ms);
        Assert.Equal(1, snapshot.FramesRendered);
    }
}
