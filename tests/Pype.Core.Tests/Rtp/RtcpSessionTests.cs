using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.RateControl;
using Xunit;

namespace Pype.Core.Tests.Rtp;

/// <summary>Two feedback sessions, A sending video and audio, B sending audio only, over a simulated path in virtual time.</summary>
public sealed class RtcpSessionTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly RtcpSessionSsrcs SsrcsA = new(0xA1, 0xA2, 0xB1, 0xB2);
    private static readonly RtcpSessionSsrcs SsrcsB = new(0xB1, 0xB2, 0xA1, 0xA2);

    private static RtcpSession NewSession(RtcpSessionSsrcs ssrcs, long startBitrate = 1_500_000) =>
        new(ssrcs, new SendRateController(new SendRateOptions { StartBitrate = startBitrate, MaxBitrate = 1_500_000 }));

    private static RtpPacket Video(ushort sequence) => new(false, RtpPayloadFormat.H264PayloadType, sequence, sequence * 3000u, SsrcsA.LocalVideo, new byte[] { 0x41, 1, 2 });

    private static RtpPacket Audio(uint ssrc, ushort sequence) => new(false, RtpPayloadFormat.OpusPayloadType, sequence, sequence * 960u, ssrc, new byte[] { 1 });

    /// <summary>Runs both sessions for <paramref name="duration"/>: A sends a video packet every 5 ms and audio every 20 ms, B audio every 20 ms; RTCP both ways.</summary>
    private static void Run(RtcpSession a, RtcpSession b, TimeSpan duration, TimeSpan oneWay, Func<ushort, bool> dropVideo, bool retransmit = false)
    {
        var toB = new List<(DateTimeOffset At, Action<DateTimeOffset> Deliver)>();
        var toA = new List<(DateTimeOffset At, Action<DateTimeOffset> Deliver)>();
        ushort videoSeq = 0;
        for (var ms = 0; ms < duration.TotalMilliseconds; ms++)
        {
            var now = Start + TimeSpan.FromMilliseconds(ms);
            if (ms % 5 == 0)
            {
                var packet = Video(videoSeq++);
                a.OnSent(MediaStreamKind.Video, packet.Timestamp, 1, packet.Payload.Length, now);
                if (!dropVideo(packet.SequenceNumber)) toB.Add((now + oneWay, t => b.OnReceived(MediaStreamKind.Video, packet, t)));
            }
            if (ms % 20 == 0)
            {
                var fromA = Audio(SsrcsA.LocalAudio, (ushort)(ms / 20));
                var fromB = Audio(SsrcsB.LocalAudio, (ushort)(ms / 20));
                a.OnSent(MediaStreamKind.Audio, fromA.Timestamp, 1, 1, now);
                b.OnSent(MediaStreamKind.Audio, fromB.Timestamp, 1, 1, now);
                toB.Add((now + oneWay, t => b.OnReceived(MediaStreamKind.Audio, fromA, t)));
                toA.Add((now + oneWay, t => a.OnReceived(MediaStreamKind.Audio, fromB, t)));
            }
            Deliver(toB, now);
            Deliver(toA, now);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
            while (retransmit && a.TryTakeRetransmission(out var lost))
                foreach (var sequence in lost) toB.Add((now + oneWay, t => b.OnReceived(MediaStreamKind.Video, Video(sequence), t)));
            while (a.TryTakeCompound(out var rtcp)) toB.Add((now + oneWay, t => b.OnRtcp(rtcp, t)));
            while (b.TryTakeCompound(out var rtcp)) toA.Add((now + oneWay, t => a.OnRtcp(rtcp, t)));
        }
    }

    private static void Deliver(List<(DateTimeOffset At, Action<DateTimeOffset> Deliver)> queue, DateTimeOffset now)
    {
        foreach (var item in queue.Where(q => q.At <= now).ToList())
        {
            queue.Remove(item);
            item.Deliver(now);
        }
    }

    [Fact]
    public void Both_sides_measure_the_round_trip_from_each_others_reports()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));
        Run(a, b, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(25), _ => false);

        Assert.InRange(a.RoundTrip!.Value.TotalMilliseconds, 48, 52);
        Assert.InRange(b.RoundTrip!.Value.TotalMilliseconds, 48, 52);
        Assert.InRange(a.ReportsSent, 2, 3);
        Assert.Equal(0, a.Rejected + b.Rejected);
        Assert.Equal(0, b.LossFraction);
        Assert.Equal(0, a.RemoteLossFraction);
    }

    [Fact]
    public void A_lost_video_packet_is_nacked_and_the_request_reaches_the_sender()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));
        Run(a, b, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10), sequence => sequence == 100);

        // Never answered here, so it is asked again once an RTT has passed, within the give-up time.
        Assert.InRange(b.NacksSent, 1, 3);
        Assert.Equal(b.NacksSent, a.NacksReceived);
        Assert.True(a.TryTakeRetransmission(out var asked));
        Assert.Equal(new ushort[] { 100 }, asked);
    }

    [Fact]
    public void A_gap_that_is_never_repaired_becomes_one_PLI_for_the_sender()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));
        Run(a, b, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), sequence => sequence == 50);

        Assert.Equal(1, b.PlisSent);
        Assert.Equal(1, a.PlisReceived);
        Assert.True(a.TakeKeyframeRequest());
        Assert.False(a.TakeKeyframeRequest());
    }

    [Fact]
    public void A_decoder_waiting_for_a_keyframe_gets_one_PLI_at_once_and_no_more_than_one_per_interval()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));
        b.RequestKeyframe(Start);
        b.RequestKeyframe(Start + TimeSpan.FromMilliseconds(100));
        Assert.True(b.TryTakeCompound(out var pli));
        Assert.False(b.TryTakeCompound(out _));

        a.OnRtcp(pli, Start + TimeSpan.FromMilliseconds(10));
        Assert.True(a.TakeKeyframeRequest());

        b.RequestKeyframe(Start + TimeSpan.FromMilliseconds(500));
        Assert.True(b.TryTakeCompound(out _));
        Assert.Equal(2, b.PlisSent);
    }

    [Fact]
    public void Heavy_video_loss_is_reported_and_lowers_the_senders_target()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));
        var random = new Random(3);
        Run(a, b, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), _ => random.NextDouble() < 0.3);

        Assert.InRange(a.RemoteLossFraction!.Value, 0.15, 0.45);
        Assert.True(a.Rate.TargetBitrate < 1_000_000, $"target {a.Rate.TargetBitrate}");
    }

    [Fact]
    public void Loss_that_NACK_repairs_still_lowers_the_target()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));
        var random = new Random(5);
        // A packet's first transmission is lost with 20 % chance; every retransmission arrives.
        Run(a, b, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), _ => random.NextDouble() < 0.2, retransmit: true);

        Assert.Equal(0, b.LossFraction);
        Assert.True(a.Rate.TargetBitrate < 1_000_000, $"target {a.Rate.TargetBitrate}");
    }

    /// <summary>
    /// A sends stamped video every 5 ms; its one-way delay is 20 ms, growing by <paramref name="growthPerSecond"/>
    /// from 1 s on (a filling queue). B's reports come back in 20 ms. Returns B's PYDT reports as A got them.
    /// </summary>
    private static List<RtcpDelayTrendReport> RunWithSendTimes(RtcpSession a, RtcpSession b, TimeSpan duration, double growthPerSecond, bool stamp = true)
    {
        var toB = new List<(DateTimeOffset At, Action<DateTimeOffset> Deliver)>();
        var toA = new List<(DateTimeOffset At, Action<DateTimeOffset> Deliver)>();
        var reports = new List<RtcpDelayTrendReport>();
        ushort videoSeq = 0;
        for (var ms = 0; ms < duration.TotalMilliseconds; ms++)
        {
            var now = Start + TimeSpan.FromMilliseconds(ms);
            if (ms % 5 == 0)
            {
                var packet = Video(videoSeq++) with { SendTime = stamp ? RtpSendTimeExtension.From(now) : null };
                a.OnSent(MediaStreamKind.Video, packet.Timestamp, 1, packet.Payload.Length, now);
                var delay = TimeSpan.FromMilliseconds(20 + Math.Max(0, ms - 1000) * growthPerSecond);
                toB.Add((now + delay, t => b.OnReceived(MediaStreamKind.Video, packet, t)));
            }
            Deliver(toB, now);
            Deliver(toA, now);
            a.HandleTimeout(now);
            b.HandleTimeout(now);
            while (a.TryTakeCompound(out var rtcp)) toB.Add((now + TimeSpan.FromMilliseconds(20), t => b.OnRtcp(rtcp, t)));
            while (b.TryTakeCompound(out var rtcp))
            {
                reports.AddRange(RtcpCodec.Parse(rtcp).Packets.OfType<RtcpDelayTrendReport>());
                toA.Add((now + TimeSpan.FromMilliseconds(20), t => a.OnRtcp(rtcp, t)));
            }
        }
        return reports;
    }

    [Fact]
    public void A_filling_queue_is_reported_as_overuse_at_once_and_cuts_the_senders_target()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));

        var reports = RunWithSendTimes(a, b, TimeSpan.FromSeconds(4), growthPerSecond: 0.2);

        Assert.Equal(DelayTrend.Overusing, b.DelayTrend);
        Assert.True(b.QueueDelay > TimeSpan.FromMilliseconds(100), $"queue {b.QueueDelay}");
        Assert.Equal(DelayTrend.Overusing, a.RemoteDelay?.Trend);
        // Reports come with each 1 s report and at once on a change, then every 200 ms while over-using.
        var overuse = reports.Where(r => r.Trend == DelayTrend.Overusing).ToList();
        Assert.InRange(overuse.Count, 5, 20);
        Assert.All(reports, r => Assert.Equal((SsrcsB.LocalVideo, SsrcsA.LocalVideo), (r.Ssrc, r.MediaSsrc)));
        // 1.5 Mb/s start; 200-packet-a-second video of 15 bytes arrives at ~28 kb/s, so the cut lands at the floor.
        Assert.Equal(50_000, a.Rate.TargetBitrate);
    }

    [Fact]
    public void A_steady_path_reports_normal_once_a_second_and_leaves_the_target_alone()
    {
        var (a, b) = (NewSession(SsrcsA, startBitrate: 1_000_000), NewSession(SsrcsB));

        var reports = RunWithSendTimes(a, b, TimeSpan.FromSeconds(4), growthPerSecond: 0);

        Assert.All(reports, r => Assert.Equal(DelayTrend.Normal, r.Trend));
        Assert.InRange(reports.Count, 3, 4);
        Assert.Equal((DelayTrend.Normal, TimeSpan.Zero), a.RemoteDelay);
        Assert.True(a.Rate.TargetBitrate >= 1_000_000);
    }

    [Fact]
    public void Video_without_send_times_gets_no_delay_reports()
    {
        var (a, b) = (NewSession(SsrcsA), NewSession(SsrcsB));

        var reports = RunWithSendTimes(a, b, TimeSpan.FromSeconds(3), growthPerSecond: 0.2, stamp: false);

        Assert.Empty(reports);
        Assert.Null(a.RemoteDelay);
        Assert.True(b.ReportsSent >= 2);
    }

    [Fact]
    public void Compounds_from_strangers_or_garbage_are_rejected_and_counted()
    {
        var a = NewSession(SsrcsA);
        a.OnRtcp(new byte[] { 1, 2, 3 }, Start);
        a.OnRtcp(RtcpCodec.Serialize(new RtcpPictureLossIndication(0xB1, 0xDEAD)), Start);
        a.OnRtcp(RtcpCodec.Serialize(new RtcpGenericNack(0xB1, 0xDEAD, [1, 2])), Start);

        Assert.Equal(3, a.Rejected);
        Assert.False(a.TakeKeyframeRequest());
        Assert.False(a.TryTakeRetransmission(out _));
    }

    [Fact]
    public void The_repair_window_covers_two_round_trips_and_is_bounded()
    {
        var a = NewSession(SsrcsA);
        Assert.Equal(TimeSpan.FromMilliseconds(210), a.RepairWindow(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(400)));
        Assert.Equal(TimeSpan.FromMilliseconds(150), a.RepairWindow(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(150)));
    }
}
