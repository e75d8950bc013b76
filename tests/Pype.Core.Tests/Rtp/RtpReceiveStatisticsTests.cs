using Pype.Core.Rtp.Feedback;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class RtpReceiveStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void Extended_highest_sequence_counts_the_wrap_in_its_top_bits()
    {
        var stats = new RtpReceiveStatistics(7, 48_000);
        for (var i = 0; i < 100; i++)
            stats.Receive((ushort)(65500 + i), (uint)(960 * i), Start + i * Frame);

        Assert.Equal((1u << 16) | 63, stats.ExtendedHighestSequence);
        Assert.Equal(100, stats.Expected);
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Fraction_lost_covers_only_the_interval_since_the_previous_report()
    {
        var stats = new RtpReceiveStatistics(7, 48_000);
        for (var i = 0; i < 100; i++)
        {
            if (i % 10 != 5)
                stats.Receive((ushort)i, (uint)(960 * i), Start + i * Frame);
        }

        var first = stats.CreateReportBlock(Start + TimeSpan.FromSeconds(2));
        for (var i = 100; i < 200; i++)
            stats.Receive((ushort)i, (uint)(960 * i), Start + i * Frame);
        var second = stats.CreateReportBlock(Start + TimeSpan.FromSeconds(4));

        Assert.Equal(25, first.FractionLost); // 10 of 100: 10 × 256 / 100
        Assert.Equal(10, first.CumulativeLost);
        Assert.Equal(0, second.FractionLost);
        Assert.Equal(10, second.CumulativeLost);
        Assert.Equal(199u, second.ExtendedHighestSequence);
    }

    [Fact]
    public void A_late_packet_fills_its_gap_and_duplicates_can_make_cumulative_loss_negative()
    {
        var stats = new RtpReceiveStatistics(7, 48_000);
        foreach (var sequence in new ushort[] { 1, 3, 2, 3, 3 })
            stats.Receive(sequence, 0, Start);

        var block = stats.CreateReportBlock(Start);

        Assert.Equal(-2, block.CumulativeLost);
        Assert.Equal(0, block.FractionLost);
    }

    [Fact]
    public void Jitter_is_zero_on_a_steady_path_and_follows_alternating_delay()
    {
        var steady = new RtpReceiveStatistics(7, 48_000);
        var shaky = new RtpReceiveStatistics(7, 48_000);
        for (var i = 0; i < 500; i++)
        {
            steady.Receive((ushort)i, (uint)(960 * i), Start + i * Frame);
            shaky.Receive((ushort)i, (uint)(960 * i), Start + i * Frame + (i % 2 == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(5)));
        }

        Assert.Equal(0u, steady.Jitter);
        Assert.InRange(shaky.Jitter, 238u, 240u); // |D| is always 5 ms = 240 ticks of 48 kHz
        Assert.InRange(shaky.JitterTime.TotalMilliseconds, 4.9, 5.0);
    }

    [Fact]
    public void A_wild_jump_is_discarded_unless_the_next_packet_confirms_a_restart()
    {
        var stats = new RtpReceiveStatistics(7, 90_000);
        for (var i = 0; i < 10; i++)
            stats.Receive((ushort)i, 0, Start);

        stats.Receive(20_000, 0, Start);
        stats.Receive(10, 0, Start);
        Assert.Equal(1, stats.Discarded);
        Assert.Equal(10u, stats.ExtendedHighestSequence);

        stats.Receive(40_000, 0, Start);
        stats.Receive(40_001, 0, Start);
        // RFC 3550 A.1: statistics start again from the confirming packet.
        Assert.Equal(1, stats.Expected);
        Assert.Equal(1, stats.Received);
        Assert.Equal(40_001u, stats.ExtendedHighestSequence);
    }

    [Fact]
    public void The_report_block_echoes_the_last_sender_report_so_the_sender_can_measure_RTT()
    {
        var stats = new RtpReceiveStatistics(7, 90_000);
        stats.Receive(1, 0, Start);
        var senderClock = Start + TimeSpan.FromHours(3); // clocks need not agree
        var report = new RtcpSenderReport(7, RtcpNtpTime.FromTime(senderClock), 0, 1, 100, []);

        stats.OnSenderReport(report, Start + TimeSpan.FromMilliseconds(40));
        var block = stats.CreateReportBlock(Start + TimeSpan.FromMilliseconds(540));

        Assert.Equal(RtcpNtpTime.ToShort(report.NtpTimestamp), block.LastSenderReport);
        Assert.Equal(32768u, block.DelaySinceLastSenderReport);
        var rtt = RtcpNtpTime.RoundTrip(senderClock + TimeSpan.FromMilliseconds(580), block);
        Assert.InRange(rtt!.Value.TotalMilliseconds, 79.9, 80.1);
    }
}
