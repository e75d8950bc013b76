namespace Pype.Core.Rtp.Feedback;

/// <summary>
/// The packets a sender sent recently, by sequence number, so a NACK can be answered with the very
/// same packet (Pype retransmits in the original stream, not RFC 4588 RTX: the receiver's reorder
/// buffer takes it like a late packet). Bounded by count (a ring indexed by sequence number) and
/// by age: a packet older than <see cref="MaxAge"/> would reach the receiver after its playout
/// deadline anyway, so it is not resent.
/// </summary>
public sealed class RtpSendHistory
{
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(1);

    /// <summary>About one second of 720p video at 2.5 Mb/s in 1200-byte packets, rounded to a power of two.</summary>
    public const int DefaultCapacity = 512;

    private readonly Entry?[] ring;
    private readonly int mask;

    /// <param name="capacity">A power of two from 16 to 32768, so it divides the 16-bit sequence space.</param>
    public RtpSendHistory(int capacity = DefaultCapacity, TimeSpan? maxAge = null)
    {
        if (capacity is < 16 or > 32768 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), "A power of two from 16 to 32768.");
        ring = new Entry?[capacity];
        mask = capacity - 1;
        MaxAge = maxAge ?? DefaultMaxAge;
    }

    public TimeSpan MaxAge { get; }

    /// <summary>
    /// The least spacing between two resends of one packet for a path of <paramref name="roundTrip"/>:
    /// half of it. A receiver asks again one RTT after its last NACK (<see cref="NackScheduler"/>),
    /// so its retry reaches us about one RTT after our resend, give or take the path's jitter:
    /// suppressing for a whole RTT would drop half of those genuine retries (the resend they follow
    /// was lost), while a NACK repeated before our resend could have arrived comes within half.
    /// </summary>
    public static TimeSpan MinResendInterval(TimeSpan roundTrip) => roundTrip / 2;

    public long Retransmitted { get; private set; }

    /// <summary>Asked for, but already overwritten or older than <see cref="MaxAge"/>.</summary>
    public long NackedButGone { get; private set; }

    /// <summary>Asked for again within the minimum interval: a repeated NACK that crossed our retransmission.</summary>
    public long RetransmissionsSuppressed { get; private set; }

    public void Add(RtpPacket packet, DateTimeOffset sentAt) =>
        ring[packet.SequenceNumber & mask] = new Entry(packet, sentAt);

    /// <summary>
    /// The packets to send again for one NACK, in the order asked. A packet resent less than
    /// <paramref name="minInterval"/> ago (typically the RTT) is not resent: the copy in flight
    /// has not had time to arrive.
    /// </summary>
    public IReadOnlyList<RtpPacket> Retransmit(IEnumerable<ushort> sequenceNumbers, DateTimeOffset now, TimeSpan minInterval)
    {
        var packets = new List<RtpPacket>();
        foreach (var sequence in sequenceNumbers)
        {
            var entry = ring[sequence & mask];
            if (entry is null || entry.Packet.SequenceNumber != sequence || now - entry.SentAt > MaxAge)
            {
                NackedButGone++;
                continue;
            }
            if (entry.LastResent is { } resent && now - resent < minInterval)
            {
                RetransmissionsSuppressed++;
                continue;
            }
            entry.LastResent = now;
            Retransmitted++;
            packets.Add(entry.Packet);
        }
        return packets;
    }

    private sealed class Entry(RtpPacket packet, DateTimeOffset sentAt)
    {
        public RtpPacket Packet { get; } = packet;
        public DateTimeOffset SentAt { get; } = sentAt;
        public DateTimeOffset? LastResent { get; set; }
    }
}
