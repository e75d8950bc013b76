namespace Pype.Lab;

/// <summary>
/// What the emulated internet does to each packet between the two NATs: one-way delay with
/// uniform jitter (± <see cref="Jitter"/>), random loss, an optional rate cap with a drop-tail
/// queue, and whether jitter may reorder packets. Applies to each direction on its own.
/// </summary>
public sealed record LinkProfile
{
    public static LinkProfile Clean { get; } = new();

    public TimeSpan Delay { get; init; }

    public TimeSpan Jitter { get; init; }

    /// <summary>Share of packets dropped at random, 0 to 100.</summary>
    public double LossPercent { get; init; }

    /// <summary>Bottleneck rate in kbit/s; 0 means unlimited.</summary>
    public int RateKbps { get; init; }

    /// <summary>The bottleneck queue holds at most this much waiting time; later packets are dropped.</summary>
    public TimeSpan QueueLimit { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When false (the default) jitter delays packets but never lets one overtake another.</summary>
    public bool AllowReordering { get; init; }

    public override string ToString() =>
        $"delay {Delay.TotalMilliseconds:0} ms ± {Jitter.TotalMilliseconds:0} ms, loss {LossPercent:0.#} %"
        + (RateKbps > 0 ? $", cap {RateKbps} kbit/s" : "") + (AllowReordering ? ", reordering" : "");
}
