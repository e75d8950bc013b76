using Pype.Core.Media;

namespace Pype.Core.Rtp;

/// <summary>
/// A frame rebuilt from RTP packets. <see cref="AccessUnit"/> begins with an access-unit delimiter
/// added by the receiver, so a stock decoder reading <see cref="AccessUnit.ToAnnexB"/> sees the
/// frame boundary at once. When <see cref="IsComplete"/> is false, packets of this frame (or whole
/// frames just before it) were lost; the NAL units present are still each intact.
/// </summary>
public sealed class DepacketizedAccessUnit(AccessUnit accessUnit, uint rtpTimestamp, long? captureTimeMicroseconds, bool isComplete)
{
    public AccessUnit AccessUnit { get; } = accessUnit;

    public uint RtpTimestamp { get; } = rtpTimestamp;

    /// <summary>From the capture-time header extension of any of the frame's packets.</summary>
    public long? CaptureTimeMicroseconds { get; } = captureTimeMicroseconds;

    public bool IsComplete { get; } = isComplete;

    /// <summary>True when an IDR slice (nal_unit_type 5) arrived, even if the frame is incomplete.</summary>
    public bool IsKeyframe => AccessUnit.IsKeyframe;
}
