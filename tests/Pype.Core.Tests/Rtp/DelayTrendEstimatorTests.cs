using Pype.Core.Rtp;
using Pype.Core.Rtp.RateControl;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class DelayTrendEstimatorTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FrameInterval = TimeSpan.FromSeconds(1.0 / 30);
    private const int PacketBytes = 1000;

    private static uint Stamp(DateTimeOffset time) => RtpSendTimeExtension.From(time);

    /// <summary>
    /// 30 frames a second of <paramref name="packetsPerFrame"/> packets, handed to the network 0.1 ms
    /// apart, through a FIFO of <paramref name="capacity"/> bit/s (0: none) and 20 ms of propagation
    /// plus <paramref name="jitter"/> (never reordering). Returns every state seen after each packet.
    /// </summary>
    private static List<(double Seconds, DelayTrend Trend)> Run(
        DelayTrendEstimator estimator, double seconds, int packetsPerFrame, long capacity = 0, double jitterMs = 0, int seed = 1,
        Func<int, int>? packetsOfFrame = null, Func<DateTimeOffset, DateTimeOffset>? stampedAs = null)
    {
        var random = new Random(seed);
        var states = new List<(double, DelayTrend)>();
        var linkFree = Start;
        var lastArrival = Start;
        var frames = (int)(seconds * 30);
        for (var frame = 0; frame < frames; frame++)
        {
            var packets = packetsOfFrame?.Invoke(frame) ?? packetsPerFrame;
            for (var i = 0; i < packets; i++)
            {
                var sent = Start + frame * FrameInterval + TimeSpan.FromMilliseconds(0.1 * i);
                var leaves = sent;
                if (capacity > 0)
                {
                    leaves = (linkFree > sent ? linkFree : sent) + TimeSpan.FromSeconds(PacketBytes * 8.0 / capacity);
                    linkFree = leaves;
                }
                var arrival = leaves + TimeSpan.FromMilliseconds(20 + jitterMs * (random.NextDouble() * 2 - 1));
                arrival = arrival > lastArrival ? arrival : lastArrival;
                lastArrival = arrival;
                estimator.OnPacket(Stamp(stampedAs?.Invoke(sent) ?? sent), arrival, PacketBytes);
                states.Add(((arrival - Start).TotalSeconds, estimator.Trend(arrival)));
            }
        }
        return states;
    }

    [Fact]
    public void A_filling_fifo_bottleneck_is_overuse_within_a_second_and_a_half()
    {
        // 1.2 Mb/s into 1 Mb/s: the queue grows 200 ms a second.
        var estimator = new DelayTrendEstimator();
        var states = Run(estimator, 3, packetsPerFrame: 5, capacity: 1_000_000);

        var first = states.First(s => s.Trend == DelayTrend.Overusing).Seconds;
        Assert.InRange(first, 0.3, 1.5);
        Assert.Equal(DelayTrend.Overusing, states[^1].Trend);
        Assert.InRange(estimator.QueueDelay.TotalMilliseconds, 400, 700);
        Assert.InRange(estimator.ReceiveBitrate(Start + TimeSpan.FromSeconds(3.6)), 950_000, 1_050_000);
    }

    [Fact]
    public void Sending_under_the_bottleneck_is_never_overuse()
    {
        // 1.2 Mb/s into 1.5 Mb/s: every frame's packets queue behind each other, but nothing builds up.
        var states = Run(new DelayTrendEstimator(), 10, packetsPerFrame: 5, capacity: 1_500_000);

        Assert.DoesNotContain(states, s => s.Trend == DelayTrend.Overusing);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(5, 2)]
    [InlineData(40, 3)]
    [InlineData(40, 4)]
    public void Random_jitter_without_a_trend_is_never_overuse(double jitterMs, int seed)
    {
        var estimator = new DelayTrendEstimator();
        var states = Run(estimator, 30, packetsPerFrame: 3, jitterMs: jitterMs, seed: seed);

        Assert.DoesNotContain(states, s => s.Trend == DelayTrend.Overusing);
    }

    [Fact]
    public void A_keyframe_handed_out_over_30_ms_and_arriving_over_30_ms_is_not_overuse()
    {
        // Every 30th frame is a keyframe of 300 packets the sender took 30 ms
        // to hand over (0.1 ms each); with no bottleneck they arrive exactly as spread as they left.
        var states = Run(new DelayTrendEstimator(), 10, packetsPerFrame: 3, packetsOfFrame: f => f % 30 == 0 ? 300 : 3);

        Assert.DoesNotContain(states, s => s.Trend != DelayTrend.Normal);
    }

    [Fact]
    public void An_encoder_falling_behind_is_not_overuse_because_send_times_are_used()
    {
        // Capture-to-send grows by 100 ms a second (a busy machine's encoder backlog); the path is clean.
        // Stamped with the capture time, the same packets read as a filling queue.
        static DateTimeOffset Captured(DateTimeOffset sent) => sent - (sent - Start) / 10;

        var bySendTime = Run(new DelayTrendEstimator(), 3, packetsPerFrame: 3);
        var byCaptureTime = Run(new DelayTrendEstimator(), 3, packetsPerFrame: 3, stampedAs: Captured);

        Assert.DoesNotContain(bySendTime, s => s.Trend != DelayTrend.Normal);
        Assert.Contains(byCaptureTime, s => s.Trend == DelayTrend.Overusing);
    }

    [Fact]
    public void A_draining_queue_is_underuse_and_a_clean_path_after_it_normal()
    {
        var estimator = new DelayTrendEstimator();
        Run(estimator, 2, packetsPerFrame: 5, capacity: 1_000_000);
        Assert.Equal(DelayTrend.Overusing, estimator.State);

        // The same estimator, now fed packets sent later at 600 kb/s over the queue left behind.
        var linkFree = Start + TimeSpan.FromSeconds(2.4);
        var states = new List<DelayTrend>();
        for (var frame = 60; frame < 150; frame++)
        {
            for (var i = 0; i < 3; i++)
            {
                var sent = Start + frame * FrameInterval + TimeSpan.FromMilliseconds(0.1 * i);
                linkFree = (linkFree > sent ? linkFree : sent) + TimeSpan.FromSeconds(PacketBytes * 8.0 / 1_000_000);
                estimator.OnPacket(Stamp(sent), linkFree + TimeSpan.FromMilliseconds(20), PacketBytes);
                states.Add(estimator.State);
            }
        }
        Assert.Contains(DelayTrend.Underusing, states);
        Assert.Equal(DelayTrend.Normal, states[^1]);
        Assert.InRange(estimator.QueueDelay.TotalMilliseconds, 0, 5);
    }

    [Fact]
    public void Send_times_wrapping_at_64_seconds_and_a_pause_leave_a_clean_path_normal()
    {
        var estimator = new DelayTrendEstimator();
        var states = Run(estimator, 70, packetsPerFrame: 2, jitterMs: 2);
        Assert.DoesNotContain(states, s => s.Trend == DelayTrend.Overusing);
        Assert.InRange(estimator.QueueDelay.TotalMilliseconds, 0, 5);
        Assert.Equal(DelayTrend.Normal, estimator.Trend(Start + TimeSpan.FromSeconds(75)));
    }

    [Fact]
    public void Packets_sent_before_the_open_group_began_count_towards_the_rate_but_not_the_trend()
    {
        var estimator = new DelayTrendEstimator();
        Run(estimator, 2, packetsPerFrame: 3);
        var (slope, queue) = (estimator.Slope, estimator.QueueDelay);
        var now = Start + TimeSpan.FromSeconds(2.1);
        var rate = estimator.ReceiveBitrate(now);

        // A straggler stamped a second ago, arriving now.
        estimator.OnPacket(Stamp(now - TimeSpan.FromSeconds(1)), now, PacketBytes);

        Assert.Equal((slope, queue), (estimator.Slope, estimator.QueueDelay));
        Assert.Equal(rate + PacketBytes * 8, estimator.ReceiveBitrate(now));
    }
}
