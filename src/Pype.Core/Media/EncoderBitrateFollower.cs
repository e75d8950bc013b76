namespace Pype.Core.Media;

/// <summary>
/// Decides when the video encoder follows the send-rate controller's target. Changing an x264
/// process's bitrate means switching to a freshly started one, whose first frame is an IDR (a few
/// times a P-frame's size), so small moves are not worth it: the encoder changes only when the
/// target differs by at least <see cref="MinStep"/>, downwards at once (at most every
/// <see cref="MinDecreaseSpacing"/>: a switch in progress must land first), upwards at most every
/// <see cref="MinIncreaseSpacing"/>. The result never exceeds <see cref="MaxKbps"/>.
/// </summary>
public sealed class EncoderBitrateFollower
{
    public const double MinStep = 0.15;
    public static readonly TimeSpan MinDecreaseSpacing = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MinIncreaseSpacing = TimeSpan.FromSeconds(2);

    private TimeSpan? lastChange;

    public EncoderBitrateFollower(int startKbps, int maxKbps)
    {
        MaxKbps = maxKbps;
        CurrentKbps = Math.Min(startKbps, maxKbps);
    }

    public int MaxKbps { get; }

    public int CurrentKbps { get; private set; }

    /// <summary>The new encoder bitrate for this target, or null to leave the encoder as it is.</summary>
    public int? Follow(long targetBitsPerSecond, TimeSpan now)
    {
        if (Wanted(targetBitsPerSecond) is not { } wanted) return null;
        if (lastChange is { } last && now - last < Spacing(wanted)) return null;
        lastChange = now;
        CurrentKbps = wanted;
        return wanted;
    }

    /// <summary>When a change to this target, held back only by the spacing, may be made; null when none is wanted.</summary>
    public TimeSpan? HeldBackUntil(long targetBitsPerSecond) =>
        Wanted(targetBitsPerSecond) is { } wanted && lastChange is { } last ? last + Spacing(wanted) : null;

    private int? Wanted(long targetBitsPerSecond)
    {
        var wanted = (int)Math.Clamp(targetBitsPerSecond / 1000, 1, MaxKbps);
        if (Math.Abs(wanted - CurrentKbps) < MinStep * CurrentKbps && wanted != MaxKbps) return null;
        return wanted == CurrentKbps ? null : wanted;
    }

    private TimeSpan Spacing(int wanted) => wanted < CurrentKbps ? MinDecreaseSpacing : MinIncreaseSpacing;
}
