using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Xunit;

namespace Pype.Core.Tests.Rtp;

/// <summary>The receiver's NACKs, through the RTCP codec, answered from the sender's history over a lossy path.</summary>
public sealed class NackRoundTripTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(20);

    /// <summary>Also with jitter on the path, which reorders packets 5 ms apart (spurious NACKs) and spreads retries around one RTT after the resend they follow.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void Lost_packets_are_recovered_by_NACK_over_a_path_losing_5_percent_each_way(int jitterMs)
    {
        var random = new Random(7);
        var history = new RtpSendHistory();
        var scheduler = new NackScheduler();
        var network = new NetworkEstimate(2 * OneWay, TimeSpan.FromMilliseconds(2));
        var toReceiver = new List<(DateTimeOffset At, RtpPacket Packet)>();
        var toSender = new List<(DateTimeOffset At, byte[] Rtcp)>();
        var received = new HashSet<ushort>();
        var sentOnce = 0;

        for (var ms = 0; ms < 12_000; ms++)
        {
            var now = Start + TimeSpan.FromMilliseconds(ms);
            if (ms % 5 == 0 && ms < 10_000)
            {
                var packet = new RtpPacket(false, 96, (ushort)(65000 + sentOnce++), 0, 1, new byte[] { 1 });
                history.Add(packet, now);
                Transmit(toReceiver, now, packet);
            }

            foreach (var (_, packet) in Due(toReceiver, now))
            {
                received.Add(packet.SequenceNumber);
                scheduler.OnPacket(packet.SequenceNumber, now, network);
            }
            if (scheduler.NextDeadline <= now)
                scheduler.HandleTimeout(now, network);
            while (scheduler.TryTakeNack(out var lost))
                Transmit(toSender, now, RtcpCodec.Serialize(new RtcpGenericNack(2, 1, lost)));

            foreach (var (_, rtcp) in Due(toSender, now))
            {
                var nack = Assert.IsType<RtcpGenericNack>(Assert.Single(RtcpCodec.Parse(rtcp).Packets));
                foreach (var packet in history.Retransmit(nack.LostSequenceNumbers, now, RtpSendHistory.MinResendInterval(network.RoundTrip)))
                    Transmit(toReceiver, now, packet);
            }
        }

        var missing = sentOnce - received.Count;
        Assert.InRange(missing, 0, sentOnce / 1000); // 5% loss each way, three tries: under 0.1% stays lost
        Assert.Equal(missing, scheduler.GivenUp);
        Assert.Equal(0, history.NackedButGone);

        void Transmit<T>(List<(DateTimeOffset, T)> path, DateTimeOffset now, T item)
        {
            if (random.NextDouble() >= 0.05)
                path.Add((now + OneWay + TimeSpan.FromMilliseconds(jitterMs * (2 * random.NextDouble() - 1)), item));
        }
    }

    private static List<(DateTimeOffset At, T Item)> Due<T>(List<(DateTimeOffset At, T Item)> path, DateTimeOffset now)
    {
        var due = path.Where(p => p.At <= now).ToList();
        path.RemoveAll(p => p.At <= now);
        return due;
    }
}
