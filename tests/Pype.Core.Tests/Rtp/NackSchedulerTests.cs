using CsCheck;
using Pype.Core.Rtp.Feedback;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class NackSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly NetworkEstimate Network = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(5));

    private static DateTimeOffset At(int milliseconds) => Start + TimeSpan.FromMilliseconds(milliseconds);

    private static List<IReadOnlyList<ushort>> Drain(NackScheduler scheduler)
    {
        var lists = new List<IReadOnlyList<ushort>>();
        while (scheduler.TryTakeNack(out var list))
            lists.Add(list);
        return lists;
    }

    [Fact]
    public void A_gap_across_the_wrap_is_asked_for_at_once()
    {
        var scheduler = new NackScheduler();
        scheduler.OnPacket(65533, At(0), Network);
        scheduler.OnPacket(65534, At(1), Network);
        scheduler.OnPacket(1, At(2), Network);

        Assert.Equal([65535, 0], Assert.Single(Drain(scheduler)));
        Assert.Equal(At(2 + 50), scheduler.NextDeadline);
    }

    [Theory]
    [InlineData(20, new[] { 20, 40 })] // three requests in all: at 0, 20 and 40 ms
    [InlineData(50, new[] { 50 })] // a request at 100 ms could not be answered before 105 ms: not sent
    public void A_missing_packet_is_asked_for_again_each_RTT_then_given_up_with_a_keyframe_request(int rttMs, int[] retries)
    {
        var network = new NetworkEstimate(TimeSpan.FromMilliseconds(rttMs), TimeSpan.FromMilliseconds(5));
        var scheduler = new NackScheduler();
        scheduler.OnPacket(10, At(0), network);
        scheduler.OnPacket(12, At(0), network);
        Assert.Single(Drain(scheduler));

        var asked = new List<int>();
        var keyframeAt = -1;
        for (var ms = 1; ms <= 200; ms++)
        {
            scheduler.HandleTimeout(At(ms), network);
            if (Drain(scheduler).Count > 0)
                asked.Add(ms);
            if (scheduler.TakeKeyframeRequest())
                keyframeAt = ms;
        }

        Assert.Equal(retries, asked);
        Assert.Equal(105, keyframeAt); // max(2 × RTT, 100 ms) + 5 ms jitter
        Assert.Equal(1, scheduler.GivenUp);
        Assert.Equal(0, scheduler.MissingCount);
        Assert.Equal(1 + retries.Length, scheduler.SequenceNumbersRequested);
    }

    [Fact]
    public void A_packet_that_arrives_after_its_NACK_is_recovered_and_never_asked_for_again()
    {
        var scheduler = new NackScheduler();
        scheduler.OnPacket(1, At(0), Network);
        scheduler.OnPacket(3, At(0), Network);
        scheduler.OnPacket(2, At(40), Network);
        Drain(scheduler);

        scheduler.HandleTimeout(At(500), Network);

        Assert.Empty(Drain(scheduler));
        Assert.False(scheduler.TakeKeyframeRequest());
        Assert.Equal(1, scheduler.Recovered);
        Assert.Null(scheduler.NextDeadline);
    }

    [Fact]
    public void Keyframe_requests_are_at_least_500_ms_apart()
    {
        var scheduler = new NackScheduler();
        var requests = new List<int>();
        ushort sequence = 0;
        for (var ms = 0; ms < 1000; ms += 10)
        {
            // Lose one packet in every ten for a second: each is given up.
            sequence += (ushort)(ms % 100 == 0 ? 2 : 1);
            scheduler.OnPacket(sequence, At(ms), Network);
            Drain(scheduler);
            if (scheduler.TakeKeyframeRequest())
                requests.Add(ms);
        }

        Assert.Equal([210, 710], requests); // the first gap (at 100 ms) is given up at 205 ms; the next request waits 500 ms
    }

    [Fact]
    public void Too_many_missing_packets_abandon_the_list_and_ask_for_a_keyframe()
    {
        var scheduler = new NackScheduler(new NackSchedulerOptions { MaxMissing = 100 });
        scheduler.OnPacket(0, At(0), Network);
        scheduler.OnPacket(500, At(1), Network);

        Assert.Empty(Drain(scheduler));
        Assert.True(scheduler.TakeKeyframeRequest());
        Assert.Equal(1, scheduler.Overflows);

        scheduler.OnPacket(502, At(2), Network);
        Assert.Equal([501], Assert.Single(Drain(scheduler)));
    }

    [Fact]
    public void A_long_gap_is_split_into_bounded_NACK_messages()
    {
        var scheduler = new NackScheduler(new NackSchedulerOptions { MaxPerMessage = 64 });
        scheduler.OnPacket(0, At(0), Network);
        scheduler.OnPacket(151, At(1), Network);

        Assert.Equal([64, 64, 22], Drain(scheduler).Select(l => l.Count));
    }

    [Fact]
    public void A_keyframe_makes_older_missing_packets_and_a_pending_request_moot()
    {
        var scheduler = new NackScheduler();
        scheduler.OnPacket(0, At(0), Network);
        scheduler.OnPacket(5, At(0), Network);
        scheduler.OnPacket(6, At(200), Network); // 1–4 given up, first keyframe request
        Assert.True(scheduler.TakeKeyframeRequest());
        scheduler.OnPacket(8, At(210), Network); // 7 missing
        scheduler.OnKeyframe(9, At(211));

        scheduler.HandleTimeout(At(1000), Network);

        Assert.Equal(0, scheduler.MissingCount);
        Assert.False(scheduler.TakeKeyframeRequest());
    }

    [Fact]
    public void A_keyframe_asked_for_by_the_decoder_is_paced_like_a_given_up_gap()
    {
        var scheduler = new NackScheduler();
        scheduler.RequestKeyframe(At(0));
        Assert.True(scheduler.TakeKeyframeRequest());

        scheduler.RequestKeyframe(At(200));
        Assert.False(scheduler.TakeKeyframeRequest());
        Assert.Equal(At(500), scheduler.NextDeadline);

        scheduler.HandleTimeout(At(500), Network);
        Assert.True(scheduler.TakeKeyframeRequest());
        Assert.Equal(2, scheduler.KeyframeRequests);
    }

    [Fact]
    public void Any_arrival_order_keeps_the_bounds()
    {
        var options = new NackSchedulerOptions { MaxMissing = 50, MaxPerMessage = 8 };
        Gen.Select(Gen.Int[-40, 120], Gen.Int[0, 30]).Array[1, 200].Sample(steps =>
        {
            var scheduler = new NackScheduler(options);
            ushort sequence = 65000;
            var ms = 0;
            foreach (var (jump, wait) in steps)
            {
                sequence = (ushort)(sequence + jump);
                ms += wait;
                scheduler.OnPacket(sequence, At(ms), Network);
                Assert.InRange(scheduler.MissingCount, 0, options.MaxMissing);
                foreach (var list in Drain(scheduler))
                    Assert.InRange(list.Count, 1, options.MaxPerMessage);
            }
        }, iter: 2000);
    }

    [Fact]
    public void A_retry_a_late_timeout_found_not_worth_asking_leaves_no_deadline_in_the_past()
    {
        var scheduler = new NackScheduler();
        scheduler.OnPacket(1, At(0), Network);
        scheduler.OnPacket(3, At(2), Network);
        Assert.Single(Drain(scheduler));
        Assert.Equal(At(52), scheduler.NextDeadline);

        // Late: an answer to a retry now would come after the give-up time (2 + 100 + 5 ms).
        scheduler.HandleTimeout(At(60), Network);
        Assert.Empty(Drain(scheduler));
        Assert.Equal(At(107), scheduler.NextDeadline);
    }
}
