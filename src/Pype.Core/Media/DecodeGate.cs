namespace Pype.Core.Media;

public enum DecodeDecision
{
    Decode,
    /// <summary>Part of the frame was lost: decoding it would show (and propagate) damage.</summary>
    DropIncomplete,
    /// <summary>An earlier frame was lost or the decoder is fresh: this frame's references are gone.</summary>
    DropAwaitingKeyframe,
}

/// <summary>
/// Decides which received frames a decoder may see. A frame with any loss is never decoded, and
/// after one (or when a decoder starts) nothing is decoded until the next keyframe, since every
/// frame in between refers to pictures the decoder does not have. The owner asks the sender for
/// a keyframe (PLI) while <see cref="AwaitingKeyframe"/> holds, instead of waiting for the
/// sender's periodic one.
/// <para>
/// A frame cut in two by a flush comes out as two frames with one RTP timestamp; the second half
/// may look complete, so a repeated timestamp counts as incomplete.
/// </para>
/// </summary>
public sealed class DecodeGate
{
    private uint? lastTimestamp;

    public bool AwaitingKeyframe { get; private set; } = true;

    public DecodeDecision Admit(uint rtpTimestamp, bool isComplete, bool isKeyframe)
    {
        var repeated = lastTimestamp == rtpTimestamp;
        lastTimestamp = rtpTimestamp;
        if (!isComplete || repeated)
        {
            AwaitingKeyframe = true;
            return DecodeDecision.DropIncomplete;
        }
        if (AwaitingKeyframe && !isKeyframe)
            return DecodeDecision.DropAwaitingKeyframe;
        AwaitingKeyframe = false;
        return DecodeDecision.Decode;
    }

    /// <summary>A new decoder process holds no pictures: wait for a keyframe.</summary>
    public void DecoderRestarted() => AwaitingKeyframe = true;
}
