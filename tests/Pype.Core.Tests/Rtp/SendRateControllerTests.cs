using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.RateControl;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Rtp;

public sealed class SendRateControllerTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => Start + TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Low_loss_raises_the_rate_8_percent_a_second_up_to_the_maximum()
    {
        var controller = new SendRateController(new SendRateOptions { StartBitrate = 1_000_000, MaxBitrate = 1_200_000 });
        controller.OnLoss(At(0), 0.01);
        Assert.Equal(1_080_000, controller.TargetBitrate);
        controller.OnLoss(At(1), 0.0);
        Assert.Equal(1_166_400, controller.TargetBitrate);
        controller.OnLoss(At(2), 0.0);
        Assert.Equal(1_200_000, controller.TargetBitrate);
    }

    [Fact]
    public void Moderate_loss_holds_and_high_loss_cuts_by_half_the_loss()
    {
        var controller = new SendRateController(new SendRateOptions { StartBitrate = 1_000_000 });
        controller.OnLoss(At(1), 0.05);
        Assert.Equal(1_000_000, controller.TargetBitrate);
        Assert.False(controller.TakeChanged());

        controller.OnLoss(At(2), 0.20);
        Assert.Equal(900_000, controller.TargetBitrate);
        Assert.True(controller.TakeChanged());
    }

    [Fact]
    public void Rising_delay_drops_the_rate_to_85_percent_of_what_arrives()
    {
        var controller = new SendRateController(new SendRateOptions { StartBitrate = 1_000_000 });
        controller.OnDelayTrend(At(1), DelayTrend.Overusing, 800_000);

        Assert.Equal(680_000, controller.TargetBitrate);
        controller.OnLoss(At(2), 0); // no increase while delay is not flat
        Assert.Equal(680_000, controller.TargetBitrate);
    }

    [Fact]
    public void Rungs_step_down_frame_rate_then_resolution_and_climb_back_only_after_a_steady_surplus()
    {
        var controller = new SendRateController(new SendRateOptions { StartBitrate = 1_100_000 });
        Assert.Equal(new VideoRung(1280, 720, 30, 1_000_000), controller.Rung);

        controller.OnDelayTrend(At(1), DelayTrend.Overusing, 1_000_000); // 850 kb/s
        Assert.Equal((1280, 720, 15), (controller.Rung.Width, controller.Rung.Height, controller.Rung.FrameRate));
        controller.OnDelayTrend(At(2), DelayTrend.Overusing, 400_000); // 340 kb/s
        Assert.Equal((640, 480, 15), (controller.Rung.Width, controller.Rung.Height, controller.Rung.FrameRate));

        controller.OnDelayTrend(At(3), DelayTrend.Normal, 0);
        var rungs = new List<int>();
        for (var second = 3; second <= 25; second++)
        {
            controller.OnLoss(At(second), 0);
            rungs.Add(controller.RungIndex);
        }
        // 640x480@30 needs 350 × 1.25 = 437.5 kb/s held for 2 s; rungs never skip upwards.
        Assert.Equal(rungs.OrderByDescending(r => r), rungs);
        Assert.True(rungs.Zip(rungs.Skip(1)).All(p => p.First - p.Second <= 1));
        Assert.Equal(0, rungs[^1]);
    }

    [Fact]
    public void Under_a_bandwidth_cap_the_rate_settles_within_5_s_and_climbs_back_when_it_lifts()
    {
        var options = new SendRateOptions { StartBitrate = 1_000_000, MaxBitrate = 2_500_000 };
        var run = new BottleneckSimulation(options);

        run.Run(until: 10, capacity: 10_000_000, loss: 0);
        Assert.InRange(run.Controller.TargetBitrate, 2_000_000, 2_500_000);

        run.Run(until: 30, capacity: 800_000, loss: 0);
        var capped = run.Samples.Where(s => s.Time is >= 15 and < 30).ToList();
        Assert.All(capped, s => Assert.InRange(s.Target, 50_000, 880_000));
        Assert.InRange(capped.Average(s => s.Target), 560_000, 800_000);
        Assert.InRange(capped.Max(s => s.QueueDelayMs), 0, 200);

        run.Run(until: 50, capacity: 10_000_000, loss: 0);
        foreach (var (time, target, queue, _) in run.Samples)
            output.WriteLine($"{time,5:F1} s  {target / 1000,5} kb/s  queue {queue,5:F1} ms");
        Assert.InRange(run.Controller.TargetBitrate, 2_250_000, 2_500_000);
        Assert.Equal(0, run.Controller.RungIndex);
    }

    [Fact]
    public void A_cap_too_low_for_the_full_picture_steps_the_rung_down_without_flapping_and_back_up_when_it_lifts()
    {
        var ladder = VideoRung.LadderWithin(640, 480, 30);
        var run = new BottleneckSimulation(new SendRateOptions { StartBitrate = 800_000, MaxBitrate = 800_000, Ladder = ladder });

        run.Run(until: 10, capacity: 10_000_000, loss: 0);
        Assert.Equal(0, run.Controller.RungIndex);

        run.Run(until: 40, capacity: 250_000, loss: 0);
        var capped = run.Samples.Where(s => s.Time is >= 15 and < 40).ToList();
        var changes = capped.Zip(capped.Skip(1)).Count(p => p.First.Rung != p.Second.Rung);
        output.WriteLine($"capped at 250 kb/s: rungs {string.Join(" ", capped.Select(s => s.Rung))}, {changes} changes");
        Assert.All(capped, s => Assert.True(s.Rung >= 1, $"at {s.Time:F0} s still on {ladder[s.Rung]} at {s.Target / 1000} kb/s"));
        Assert.True(changes <= 2, $"the rung changed {changes} times in 25 s under a steady cap");

        run.Run(until: 70, capacity: 10_000_000, loss: 0);
        var climb = run.Samples.Where(s => s.Time >= 40).Select(s => s.Rung).ToList();
        Assert.Equal(climb.OrderByDescending(r => r), climb);
        Assert.Equal(0, run.Controller.RungIndex);
    }

    [Fact]
    public void Behind_a_deep_buffer_the_delay_trend_keeps_the_rate_under_the_cap_and_the_queue_short_where_loss_alone_fills_it()
    {
        // 1 s of buffer: nothing is dropped for a long while, so loss says nothing; only delay does.
        var options = new SendRateOptions { StartBitrate = 1_000_000, MaxBitrate = 2_500_000 };
        var withTrend = new BottleneckSimulation(options, buffer: TimeSpan.FromSeconds(1));
        var lossOnly = new BottleneckSimulation(options, buffer: TimeSpan.FromSeconds(1), delayFeedback: false);
        foreach (var run in new[] { withTrend, lossOnly })
        {
            run.Run(until: 10, capacity: 10_000_000, loss: 0);
            run.Run(until: 40, capacity: 800_000, loss: 0);
        }

        var settled = withTrend.Samples.Where(s => s.Time is >= 15 and < 40).ToList();
        var unguarded = lossOnly.Samples.Where(s => s.Time is >= 15 and < 40).ToList();
        output.WriteLine($"with the delay trend: {settled.Min(s => s.Target) / 1000}–{settled.Max(s => s.Target) / 1000} kb/s, mean {settled.Average(s => s.Target) / 1000:0}, "
            + $"queue ≤ {settled.Max(s => s.QueueDelayMs):0} ms; loss alone: mean {unguarded.Average(s => s.Target) / 1000:0} kb/s, queue up to {unguarded.Max(s => s.QueueDelayMs):0} ms");
        // The 1 s the buffer filled before the trend was seen is drained by a deeper cut (down to
        // half the receive rate), so for a few seconds the rate sits well under the cap.
        Assert.All(settled, s => Assert.InRange(s.Target, 350_000, 880_000));
        Assert.InRange(settled.Max(s => s.QueueDelayMs), 0, 100);
        Assert.InRange(settled.Where(s => s.Time >= 20).Average(s => s.Target), 650_000, 800_000);
        Assert.True(unguarded.Max(s => s.QueueDelayMs) > 900, "without the delay trend the buffer should have filled");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void With_5_percent_random_loss_and_no_queue_the_delay_trend_never_takes_the_rate_below_what_loss_control_gives(int seed)
    {
        var options = new SendRateOptions { StartBitrate = 800_000, MaxBitrate = 2_500_000 };
        var withTrend = new BottleneckSimulation(options, random: new Random(seed));
        var lossOnly = new BottleneckSimulation(options, delayFeedback: false, random: new Random(seed));
        withTrend.Run(until: 30, capacity: 10_000_000, loss: 0.05);
        lossOnly.Run(until: 30, capacity: 10_000_000, loss: 0.05);

        output.WriteLine($"seed {seed}: with the delay trend {withTrend.Controller.TargetBitrate / 1000} kb/s, loss alone {lossOnly.Controller.TargetBitrate / 1000} kb/s");
        Assert.All(withTrend.Samples.Zip(lossOnly.Samples), p => Assert.True(p.First.Target >= p.Second.Target, $"at {p.First.Time:0} s {p.First.Target} < {p.Second.Target}"));
        Assert.True(withTrend.Controller.TargetBitrate >= 800_000);
    }

    [Fact]
    public void Heavy_loss_cuts_the_rate_and_light_loss_lets_it_recover()
    {
        var run = new BottleneckSimulation(new SendRateOptions { StartBitrate = 1_500_000 });

        run.Run(until: 10, capacity: 10_000_000, loss: 0.25);
        Assert.InRange(run.Controller.TargetBitrate, 50_000, 600_000);
        var afterLoss = run.Controller.TargetBitrate;

        run.Run(until: 20, capacity: 10_000_000, loss: 0.05);
        Assert.Equal(afterLoss, run.Controller.TargetBitrate); // 2–10% holds

        run.Run(until: 35, capacity: 10_000_000, loss: 0.005);
        Assert.True(run.Controller.TargetBitrate > 2 * afterLoss);
    }

    /// <summary>
    /// A sender at the controller's rate, a FIFO bottleneck (200 ms of buffer, drop-tail) and a
    /// receiver that reports loss every second and its delay trend every 100 ms, in 5 ms steps.
    /// Random loss is spread evenly (every 1/loss-th packet), so each report sees the set rate,
    /// unless a <paramref name="random"/> is given: then each packet is lost with that chance.
    /// The delay trend comes from the send time each packet carries; with
    /// <paramref name="delayFeedback"/> off the controller runs on loss and RTT alone.
    /// A sample's queue delay is the longest seen since the previous sample.
    /// </summary>
    private sealed class BottleneckSimulation(SendRateOptions options, TimeSpan? buffer = null, bool delayFeedback = true, Random? random = null)
    {
        private const int PacketBytes = 1000;
        private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
        private static readonly TimeSpan Propagation = TimeSpan.FromMilliseconds(20);
        private readonly TimeSpan maxQueue = buffer ?? TimeSpan.FromMilliseconds(200);
        private TimeSpan longestQueue;

        private readonly RtpReceiveStatistics statistics = new(1, 90_000);
        private readonly DelayTrendEstimator delay = new();
        private readonly Queue<(DateTimeOffset Arrival, ushort Sequence, long Capture)> inFlight = new();
        private DateTimeOffset now = Start;
        private DateTimeOffset linkFreeAt = Start;
        private double credit;
        private long sequence;
        private long steps;

        public SendRateController Controller { get; } = new(options);

        public List<(double Time, long Target, double QueueDelayMs, int Rung)> Samples { get; } = [];

        public void Run(double until, long capacity, double loss)
        {
            while (now < At(until))
            {
                Send(capacity, loss);
                Deliver();
                steps++;
                longestQueue = QueueDelay > longestQueue ? QueueDelay : longestQueue;
                if (steps % 20 == 0 && delayFeedback)
                    Controller.OnDelayTrend(now, delay.Trend(now), delay.ReceiveBitrate(now), delay.QueueDelay);
                if (steps % 200 == 0)
                {
                    Controller.OnRoundTrip(2 * Propagation + QueueDelay);
                    Controller.OnReportBlock(now, statistics.CreateReportBlock(now));
                    Samples.Add(((now - Start).TotalSeconds, Controller.TargetBitrate, longestQueue.TotalMilliseconds, Controller.RungIndex));
                    longestQueue = TimeSpan.Zero;
                }
                now += Step;
            }
        }

        private TimeSpan QueueDelay => linkFreeAt > now ? linkFreeAt - now : TimeSpan.Zero;

        private void Send(long capacity, double loss)
        {
            credit += Controller.TargetBitrate * Step.TotalSeconds / 8;
            for (; credit >= PacketBytes; credit -= PacketBytes)
            {
                sequence++;
                var lost = random is null ? Math.Floor(sequence * loss) != Math.Floor((sequence - 1) * loss) : random.NextDouble() < loss;
                if (QueueDelay > maxQueue || lost)
                    continue;
                var departure = (linkFreeAt > now ? linkFreeAt : now) + TimeSpan.FromSeconds(PacketBytes * 8.0 / capacity);
                linkFreeAt = departure;
                inFlight.Enqueue((departure + Propagation, (ushort)sequence, (now - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond));
            }
        }

        private void Deliver()
        {
            while (inFlight.TryPeek(out var packet) && packet.Arrival <= now)
            {
                inFlight.Dequeue();
                statistics.Receive(packet.Sequence, 0, packet.Arrival);
                delay.OnPacket(RtpSendTimeExtension.FromUnixMicroseconds(packet.Capture), packet.Arrival, PacketBytes);
            }
        }
    }
}
