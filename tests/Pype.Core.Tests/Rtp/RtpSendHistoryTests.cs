using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class RtpSendHistoryTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static RtpPacket Packet(int sequence) => new(false, 96, (ushort)sequence, 0, 1, new byte[] { (byte)sequence });

    [Fact]
    public void NACKed_packets_are_returned_as_sent_across_the_wrap()
    {
        var history = new RtpSendHistory(64);
        for (var i = 65530; i < 65540; i++)
            history.Add(Packet(i), Start);

        var resent = history.Retransmit([65535, 0, 3], Start + TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(40));

        Assert.Equal([65535, 0, 3], resent.Select(p => (int)p.SequenceNumber));
        Assert.Equal(3, history.Retransmitted);
    }

    [Fact]
    public void Packets_overwritten_too_old_or_never_sent_are_counted_as_gone()
    {
        var history = new RtpSendHistory(16, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
            history.Add(Packet(i), Start + TimeSpan.FromMilliseconds(100 * i));

        var now = Start + TimeSpan.FromMilliseconds(1900);
        var resent = history.Retransmit([2, 5, 10, 19, 25], now, TimeSpan.Zero);

        // 2 was overwritten by 18, 5 is older than a second, 25 was never sent.
        Assert.Equal([10, 19], resent.Select(p => (int)p.SequenceNumber));
        Assert.Equal(3, history.NackedButGone);
    }

    [Fact]
    public void A_packet_is_not_resent_again_before_the_minimum_interval()
    {
        var history = new RtpSendHistory(16);
        history.Add(Packet(4), Start);
        var rtt = TimeSpan.FromMilliseconds(80);

        Assert.Single(history.Retransmit([4], Start + TimeSpan.FromMilliseconds(10), rtt));
        Assert.Empty(history.Retransmit([4], Start + TimeSpan.FromMilliseconds(50), rtt));
        Assert.Single(history.Retransmit([4], Start + TimeSpan.FromMilliseconds(95), rtt));
        Assert.Equal(1, history.RetransmissionsSuppressed);
    }

    [Fact]
    public void A_retry_a_little_under_an_RTT_after_a_lost_resend_is_answered_and_a_repeat_crossing_the_resend_is_not()
    {
        var history = new RtpSendHistory(16);
        history.Add(Packet(7), Start);
        var spacing = RtpSendHistory.MinResendInterval(TimeSpan.FromMilliseconds(40));

        Assert.Single(history.Retransmit([7], Start + TimeSpan.FromMilliseconds(30), spacing));
        // The receiver asked again one RTT after its NACK; jitter brought it 5 ms sooner than an RTT after our resend.
        Assert.Single(history.Retransmit([7], Start + TimeSpan.FromMilliseconds(65), spacing));
        // The same NACK again 10 ms later: our resend cannot have arrived yet.
        Assert.Empty(history.Retransmit([7], Start + TimeSpan.FromMilliseconds(75), spacing));
    }
}
