using Pype.Core.Rtp.RateControl;

namespace Pype.Core.Media;

/// <summary>What the video encoder is asked for: bitrate, the picture size it encodes, and frames a second.</summary>
public readonly record struct VideoEncoding(int Kbps, int Width, int Height, int FrameRate)
{
    public (int Width, int Height, int FrameRate) Format => (Width, Height, FrameRate);
}

/// <summary>
/// Decides when the video encoder follows the send-rate controller: its bitrate through an
/// <see cref="EncoderBitrateFollower"/> (steps of 15 % or more), its picture size and frame rate
/// from the controller's rung. A new rung is taken as soon as the controller chose it (the
/// controller already holds a better rung back until the rate has stayed well above its floor for
/// 2 s), but not sooner than <see cref="EncoderBitrateFollower.MinDecreaseSpacing"/> after the
/// last rung change: each change is a switch to a freshly started encoder, which must land first.
/// Both travel in one <see cref="VideoEncoding"/>, so a rung and a bitrate that move together cost
/// the encoder one switch.
/// </summary>
public sealed class VideoEncodingFollower
{
    private readonly EncoderBitrateFollower bitrate;
    private TimeSpan? lastRungChange;

    public VideoEncodingFollower(int startKbps, int maxKbps, VideoRung startRung)
    {
        bitrate = new EncoderBitrateFollower(startKbps, maxKbps);
        Current = new VideoEncoding(bitrate.CurrentKbps, startRung.Width, startRung.Height, startRung.FrameRate);
    }

    public VideoEncoding Current { get; private set; }

    /// <summary>The new encoding for this target and rung, or null to leave the encoder as it is.</summary>
    public VideoEncoding? Follow(long targetBitsPerSecond, VideoRung rung, TimeSpan now)
    {
        var kbps = bitrate.Follow(targetBitsPerSecond, now) ?? Current.Kbps;
        var format = (rung.Width, rung.Height, rung.FrameRate);
        if (format != Current.Format && !(lastRungChange is { } last && now - last < EncoderBitrateFollower.MinDecreaseSpacing))
            lastRungChange = now;
        else
            format = Current.Format;
        var next = new VideoEncoding(kbps, format.Width, format.Height, format.FrameRate);
        if (next == Current) return null;
        Current = next;
        return next;
    }

    /// <summary>
    /// When <see cref="Follow"/> should look again at a target and rung it held back for spacing;
    /// null when it holds nothing back, so nobody needs to poll it.
    /// </summary>
    public TimeSpan? HeldBackUntil(long targetBitsPerSecond, VideoRung rung)
    {
        var bitrateAt = bitrate.HeldBackUntil(targetBitsPerSecond);
        var rungAt = (rung.Width, rung.Height, rung.FrameRate) != Current.Format && lastRungChange is { } last
            ? last + EncoderBitrateFollower.MinDecreaseSpacing
            : (TimeSpan?)null;
        return bitrateAt is { } b && (rungAt is not { } r || b < r) ? b : rungAt;
    }
}
