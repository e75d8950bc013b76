using Pype.Core.Rtp.Feedback;

namespace Pype.Core.Rtp.RateControl;

/// <summary>Constants of the send-rate rule (docs/RESILIENCE.md §3).</summary>
public sealed record SendRateOptions
{
    /// <summary>libwebrtc starts at 300 kb/s: enough for a watchable picture before anything is known.</summary>
    public long StartBitrate { get; init; } = 300_000;

    public long MinBitrate { get; init; } = 50_000;

    /// <summary>The negotiated maximum (the call's media offer). libwebrtc uses 2.5 Mb/s above 960x540.</summary>
    public long MaxBitrate { get; init; } = 2_500_000;

    /// <summary>Multiplicative increase per second while loss stays low and delay is flat.</summary>
    public double IncreasePerSecond { get; init; } = 0.08;

    /// <summary>Below this fraction lost the rate may rise; between this and <see cref="HighLoss"/> it holds.</summary>
    public double LowLoss { get; init; } = 0.02;

    /// <summary>Above this fraction lost the rate is cut to rate × (1 − 0.5 × loss).</summary>
    public double HighLoss { get; init; } = 0.10;

    /// <summary>On rising delay the rate drops to this share of what the receiver actually gets.</summary>
    public double OveruseFactor { get; init; } = 0.85;

    /// <summary>
    /// A reported queue is to be drained within about this long: a cut goes below
    /// <see cref="OveruseFactor"/> × receive rate when the queue is deeper than (1 − factor) of it,
    /// down to <see cref="MinOveruseFactor"/>. At 0.85 a 1 s queue (a deep buffer filled before the
    /// trend was seen) takes 6–7 s to drain, all of it glass-to-glass delay.
    /// </summary>
    public TimeSpan QueueDrainTime { get; init; } = TimeSpan.FromSeconds(2);

    public double MinOveruseFactor { get; init; } = 0.5;

    /// <summary>
    /// The rate may not run further ahead of the measured receive rate than this factor (plus
    /// 10 kb/s): increases past what the path has shown it carries are only guesses. Not lower:
    /// x264 often sends well under its target (75 % at 640x480@15 in the lab), and at 1.25 a call
    /// whose cap lifted stayed at 300 kb/s, short of the 1.25 × 350 kb/s its next rung needs.
    /// </summary>
    public double MaxAheadOfReceiveRate { get; init; } = 1.5;

    /// <summary>A better rung is taken only once the rate exceeds its floor by this factor …</summary>
    public double UpgradeFactor { get; init; } = 1.25;

    /// <summary>… for this long, so a short surge does not flip the encoder back and forth.</summary>
    public TimeSpan UpgradeHold { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<VideoRung> Ladder { get; init; } = VideoRung.DefaultLadder;
}

/// <summary>
/// The sender's video bitrate and rung, sans-IO and deterministic. Inputs: loss from receiver
/// reports (<see cref="OnReportBlock"/>), RTT samples (<see cref="OnRoundTrip"/>), and optionally
/// the receiver's delay trend with its receive rate (<see cref="OnDelayTrend"/>). Outputs:
/// <see cref="TargetBitrate"/> and <see cref="Rung"/>, with <see cref="Changed"/> set when either moved.
/// <para>
/// Rules, after libwebrtc's: loss under 2% and flat delay → rate × 1.08 per second (capped at the
/// maximum and at 1.5 × the receive rate); 2–10% → hold; over 10% → rate × (1 − 0.5·loss), at
/// most once per RTT + 300 ms; rising delay → 0.85 × receive rate (less when the reported queue
/// needs it to drain within 2 s, never under 0.5 ×), at most once per RTT + 100 ms, and no
/// increase until the trend is normal again.
/// Interarrival jitter is not an input on purpose: it says the path is bursty, not that it is full.
/// </para>
/// </summary>
public sealed class SendRateController
{
    private static readonly TimeSpan LossDecreaseSpacing = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan DelayDecreaseSpacing = TimeSpan.FromMilliseconds(100);

    /// <summary>A receive rate older than this no longer caps increases, and a trend older than this no longer holds them.</summary>
    private static readonly TimeSpan ReceiveRateLifetime = TimeSpan.FromSeconds(3);

    private readonly SendRateOptions options;
    private double rate;
    private DateTimeOffset? lastIncrease;
    private DateTimeOffset? lastDecrease;
    private DelayTrend trend = DelayTrend.Normal;
    private DateTimeOffset trendAt;
    private long? receiveRate;
    private DateTimeOffset receiveRateAt;
    private DateTimeOffset? upgradeEligibleSince;

    public SendRateController(SendRateOptions? options = null)
    {
        this.options = options ?? new SendRateOptions();
        if (this.options.Ladder.Count == 0)
            throw new ArgumentException("The ladder needs at least one rung.", nameof(options));
        rate = Math.Clamp(this.options.StartBitrate, this.options.MinBitrate, this.options.MaxBitrate);
        RungIndex = this.options.Ladder.Count - 1;
        while (RungIndex > 0 && rate >= this.options.Ladder[RungIndex - 1].MinBitrate)
            RungIndex--;
    }

    public long TargetBitrate => (long)rate;

    public int RungIndex { get; private set; }

    public VideoRung Rung => options.Ladder[RungIndex];

    public TimeSpan RoundTrip { get; private set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>True after an input that moved the bitrate or the rung; cleared by <see cref="TakeChanged"/>.</summary>
    public bool Changed { get; private set; }

    public bool TakeChanged()
    {
        var changed = Changed;
        Changed = false;
        return changed;
    }

    public void OnRoundTrip(TimeSpan rtt)
    {
        if (rtt > TimeSpan.Zero)
            RoundTrip = rtt;
    }

    public void OnReportBlock(DateTimeOffset now, RtcpReportBlock block) => OnLoss(now, block.LossFraction);

    /// <summary>One receiver report's fraction lost (0–1) for the report interval.</summary>
    public void OnLoss(DateTimeOffset now, double lossFraction)
    {
        var before = (TargetBitrate, RungIndex);
        if (lossFraction > options.HighLoss)
        {
            if (DecreaseAllowed(now, LossDecreaseSpacing))
                SetDecreased(now, rate * (1 - 0.5 * lossFraction));
        }
        else if (lossFraction < options.LowLoss && (trend == DelayTrend.Normal || now - trendAt > ReceiveRateLifetime))
            Increase(now);
        else
            lastIncrease = now; // holding: the next increase counts its time from here, not from before the hold
        Settle(now, before);
    }

    /// <summary>The receiver's one-way delay trend, the bitrate it measured arriving (0 when unknown) and the queueing delay it sees.</summary>
    public void OnDelayTrend(DateTimeOffset now, DelayTrend delayTrend, long receiveBitrate, TimeSpan queueDelay = default)
    {
        var before = (TargetBitrate, RungIndex);
        trend = delayTrend;
        trendAt = now;
        if (receiveBitrate > 0)
        {
            receiveRate = receiveBitrate;
            receiveRateAt = now;
        }
        if (delayTrend == DelayTrend.Overusing && receiveBitrate > 0 && DecreaseAllowed(now, DelayDecreaseSpacing))
        {
            var factor = Math.Clamp(1 - queueDelay / options.QueueDrainTime, options.MinOveruseFactor, options.OveruseFactor);
            SetDecreased(now, Math.Min(rate, factor * receiveBitrate));
        }
        Settle(now, before);
    }

    private bool DecreaseAllowed(DateTimeOffset now, TimeSpan spacing) =>
        lastDecrease is not { } last || now - last >= RoundTrip + spacing;

    private void SetDecreased(DateTimeOffset now, double value)
    {
        rate = Math.Max(options.MinBitrate, value);
        lastDecrease = now;
        lastIncrease = now;
    }

    private void Increase(DateTimeOffset now)
    {
        // Time since the last step, capped at a second, so a gap in reports is not a licence to jump.
        var seconds = lastIncrease is { } last ? Math.Clamp((now - last).TotalSeconds, 0, 1) : 1;
        lastIncrease = now;
        var raised = rate * Math.Pow(1 + options.IncreasePerSecond, seconds);
        if (receiveRate is { } received && now - receiveRateAt <= ReceiveRateLifetime)
            raised = Math.Min(raised, Math.Max(rate, options.MaxAheadOfReceiveRate * received + 10_000));
        rate = Math.Min(options.MaxBitrate, raised);
    }

    private void Settle(DateTimeOffset now, (long Bitrate, int Rung) before)
    {
        var ladder = options.Ladder;
        while (RungIndex < ladder.Count - 1 && rate < ladder[RungIndex].MinBitrate)
        {
            RungIndex++;
            upgradeEligibleSince = null;
        }
        if (RungIndex > 0 && rate >= ladder[RungIndex - 1].MinBitrate * options.UpgradeFactor)
        {
            upgradeEligibleSince ??= now;
            if (now - upgradeEligibleSince >= options.UpgradeHold)
            {
                RungIndex--;
                upgradeEligibleSince = null;
            }
        }
        else
            upgradeEligibleSince = null;
        Changed |= before != (TargetBitrate, RungIndex);
    }
}
