namespace Pype.Core.Rtp;

public enum RtpReorderOutcome
{
    Accepted,
    /// <summary>Already held, or recently released.</summary>
    Duplicate,
    /// <summary>Behind the release point, and not known to have been released: its place was declared lost.</summary>
    TooLate,
}

/// <summary>A packet released in sequence order, with how many packets before it were given up as lost.</summary>
public readonly record struct OrderedRtpPacket(RtpPacket Packet, int LostBefore);

/// <summary>
/// Puts packets back into sequence-number order (RFC 3550 §A.1 style extension of the 16-bit
/// number, so wrap-around at 65535 is seamless). A missing packet is waited for until
/// <see cref="Window"/> later packets have arrived, then declared lost. Holds at most
/// <see cref="Window"/> packets. The first packet received sets the starting point: anything older
/// is too late, so reordering across the very first packets of a stream is not undone.
/// </summary>
public sealed class RtpReorderBuffer
{
    private readonly SortedDictionary<long, RtpPacket> held = [];
    private readonly Queue<OrderedRtpPacket> released = new();
    /// <summary>Extended sequence numbers of recently released packets, by number modulo its length.</summary>
    private readonly long[] recentlyReleased;
    private long nextExpected = -1;
    private long highest = -1;
    private int lostBeforeNext;

    public RtpReorderBuffer(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        Window = window;
        recentlyReleased = new long[Math.Max(64, 2 * window)];
        Array.Fill(recentlyReleased, -1);
    }

    public int Window { get; }

    /// <summary>Packets declared lost so far.</summary>
    public long Lost { get; private set; }

    public RtpReorderOutcome Push(RtpPacket packet)
    {
        var extended = Extend(packet.SequenceNumber);
        if (nextExpected < 0)
            nextExpected = extended;
        if (extended < nextExpected)
            return recentlyReleased[extended % recentlyReleased.Length] == extended ? RtpReorderOutcome.Duplicate : RtpReorderOutcome.TooLate;
        if (!held.TryAdd(extended, packet))
            return RtpReorderOutcome.Duplicate;
        highest = Math.Max(highest, extended);
        Release();
        return RtpReorderOutcome.Accepted;
    }

    /// <summary>Releases everything held, declaring the gaps lost: the end of the stream, or a caller's deadline.</summary>
    public void Flush()
    {
        while (held.Count > 0)
            SkipToFirstHeld();
    }

    public bool TryTake(out OrderedRtpPacket packet) => released.TryDequeue(out packet);

    /// <summary>The extended sequence number nearest to the highest one seen.</summary>
    private long Extend(ushort sequenceNumber)
    {
        if (highest < 0)
            return sequenceNumber + (1L << 16);
        var delta = (short)unchecked((ushort)(sequenceNumber - (ushort)highest));
        return highest + delta;
    }

    private void Release()
    {
        while (true)
        {
            ReleaseConsecutive();
            if (held.Count == 0 || highest - nextExpected < Window)
                return;
            SkipToFirstHeld();
        }
    }

    private void ReleaseConsecutive()
    {
        while (held.Remove(nextExpected, out var packet))
        {
            released.Enqueue(new OrderedRtpPacket(packet, lostBeforeNext));
            recentlyReleased[nextExpected % recentlyReleased.Length] = nextExpected;
            lostBeforeNext = 0;
            nextExpected++;
        }
    }

    private void SkipToFirstHeld()
    {
        var first = held.Keys.First();
        var lost = (int)(first - nextExpected);
        Lost += lost;
        lostBeforeNext += lost;
        nextExpected = first;
        ReleaseConsecutive();
    }
}
