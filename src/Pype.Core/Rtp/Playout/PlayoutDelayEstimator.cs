namespace Pype.Core.Rtp.Playout;

/// <summary>Constants of the playout-delay rule (docs/RESILIENCE.md §1).</summary>
public sealed record PlayoutDelayOptions
{
    /// <summary>Audio: 20 ms floor, so one late Opus frame never starves the device.</summary>
    public static readonly PlayoutDelayOptions Audio = new();

    /// <summary>
    /// Video: no floor and no margin, so a clean path releases frames the moment they are whole.
    /// Two mean deviations rather than three, and a faster decay: a frame that comes after its
    /// playout time is shown late (a stutter), not lost, while every millisecond held is added to
    /// glass-to-glass delay — in a call, the cheaper error is the occasional late frame.
    /// </summary>
    public static readonly PlayoutDelayOptions Video = new()
    {
        Min = TimeSpan.Zero,
        Margin = TimeSpan.Zero,
        JitterMultiplier = 2,
        DecayPerSecond = TimeSpan.FromMilliseconds(30),
    };

    /// <summary>
    /// RFC 3550 jitter is a mean deviation; about three of them cover nearly all of a path's
    /// arrival spread without holding every packet for the rare worst one.
    /// </summary>
    public double JitterMultiplier { get; init; } = 3;

    public TimeSpan Margin { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan Min { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>ITU-T G.114 puts good conversation under 150 ms one way; a buffer alone must not use all of it.</summary>
    public TimeSpan Max { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How fast the target may fall. It rises at once: a late packet costs more than a little delay.</summary>
    public TimeSpan DecayPerSecond { get; init; } = TimeSpan.FromMilliseconds(10);
}

/// <summary>
/// The playout delay a receiver aims for: target = clamp(k·jitter + margin, min, max), rising to a
/// higher value at once (fast attack) and falling by at most <see cref="PlayoutDelayOptions.DecayPerSecond"/>
/// (slow decay), so one quiet second after a burst does not strip the buffer bare.
/// Feed it the stream's interarrival jitter (<c>RtpReceiveStatistics.JitterTime</c>).
/// </summary>
public sealed class PlayoutDelayEstimator(PlayoutDelayOptions options)
{
    private DateTimeOffset? lastUpdate;

    public TimeSpan Target { get; private set; } = options.Min;

    /// <summary>The target the rule gives for this jitter, before attack and decay.</summary>
    public TimeSpan Raw(TimeSpan jitter)
    {
        var raw = jitter * options.JitterMultiplier + options.Margin;
        return raw < options.Min ? options.Min : raw > options.Max ? options.Max : raw;
    }

    public TimeSpan Update(TimeSpan jitter, DateTimeOffset now)
    {
        var raw = Raw(jitter);
        var elapsed = lastUpdate is { } last && now > last ? now - last : TimeSpan.Zero;
        lastUpdate = now;
        if (raw >= Target)
            Target = raw;
        else
        {
            var floor = Target - options.DecayPerSecond * elapsed.TotalSeconds;
            Target = raw > floor ? raw : floor;
        }
        return Target;
    }
}
