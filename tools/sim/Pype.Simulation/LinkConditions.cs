namespace Pype.Simulation;

/// <summary>
/// How one direction of a path treats datagrams: a fixed one-way delay plus uniform jitter,
/// random loss and duplication, occasional reordering (a datagram held back), and a bandwidth cap
/// with a tail-drop queue. Random draws happen only for the effects that are switched on.
/// </summary>
public sealed record LinkConditions
{
    public static readonly LinkConditions Instant = new();

    public TimeSpan Delay { get; init; }

    /// <summary>Each datagram waits an extra uniform [0, Jitter).</summary>
    public TimeSpan Jitter { get; init; }

    public double Loss { get; init; }

    public double Duplicate { get; init; }

    /// <summary>The share of datagrams held back by <see cref="ReorderDelay"/>, so later ones overtake them.</summary>
    public double Reorder { get; init; }

    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>The link's rate; zero means uncapped.</summary>
    public long BitsPerSecond { get; init; }

    /// <summary>How many bytes may wait for the link before new ones are dropped.</summary>
    public int QueueBytes { get; init; } = 64 * 1024;
}

/// <summary>One direction of a path and the queue in front of its bandwidth cap.</summary>
internal sealed class SimulatedLink(LinkConditions conditions)
{
    public LinkConditions Conditions { get; set; } = conditions;

    /// <summary>When the last queued datagram finishes leaving: the queue's length in time.</summary>
    public DateTimeOffset BusyUntil { get; set; } = DateTimeOffset.MinValue;

    /// <summary>When a datagram of <paramref name="length"/> bytes sent now has left, or null when the queue is full.</summary>
    public DateTimeOffset? Enqueue(DateTimeOffset now, int length)
    {
        var rate = Conditions.BitsPerSecond;
        if (rate <= 0)
            return now;
        var waiting = BusyUntil > now ? (BusyUntil - now).TotalSeconds * rate / 8 : 0;
        if (waiting + length > Conditions.QueueBytes)
            return null;
        var start = BusyUntil > now ? BusyUntil : now;
        BusyUntil = start + TimeSpan.FromTicks((long)Math.Ceiling(length * 8.0 * TimeSpan.TicksPerSecond / rate));
        return BusyUntil;
    }
}
