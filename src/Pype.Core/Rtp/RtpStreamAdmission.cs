namespace Pype.Core.Rtp;

/// <summary>What every RTP receiving stream counts, whatever its payload.</summary>
public class RtpStreamCounters
{
    public long PacketsAccepted { get; internal set; }
    public long WrongPayloadType { get; internal set; }
    /// <summary>Packets of another SSRC than the one the stream locked onto.</summary>
    public long ForeignSsrc { get; internal set; }
    public long Duplicates { get; internal set; }
    /// <summary>Packets that arrived after their place in the order was given up.</summary>
    public long TooLate { get; internal set; }
    public long PacketsLost { get; internal set; }
}

/// <summary>
/// The first step of every depacketizer: keep only this stream's payload type and SSRC (the
/// first one seen), drop duplicates and packets too late to place, and put the rest in order.
/// </summary>
internal sealed class RtpStreamAdmission(byte payloadType, int reorderWindow, RtpStreamCounters counters)
{
    private uint? ssrc;

    public RtpReorderBuffer Reorder { get; } = new(reorderWindow);

    /// <summary>True when the packet joined the reorder buffer.</summary>
    public bool Admit(RtpPacket packet)
    {
        if (packet.PayloadType != payloadType)
        {
            counters.WrongPayloadType++;
            return false;
        }
        ssrc ??= packet.Ssrc;
        if (packet.Ssrc != ssrc)
        {
            counters.ForeignSsrc++;
            return false;
        }
        switch (Reorder.Push(packet))
        {
            case RtpReorderOutcome.Duplicate:
                counters.Duplicates++;
                return false;
            case RtpReorderOutcome.TooLate:
                counters.TooLate++;
                return false;
        }
        counters.PacketsAccepted++;
        return true;
    }
}
