namespace Pype.Core.Rtp;

/// <summary>What an <see cref="H264Depacketizer"/> has taken in, given up on and put out.</summary>
public sealed class H264DepacketizerCounters
{
    public long PacketsAccepted { get; internal set; }
    public long WrongPayloadType { get; internal set; }
    /// <summary>Packets from an SSRC other than the first one seen.</summary>
    public long ForeignSsrc { get; internal set; }
    public long Duplicates { get; internal set; }
    /// <summary>Packets that arrived after their place had been declared lost.</summary>
    public long TooLate { get; internal set; }
    /// <summary>Sequence numbers never received within the reorder window.</summary>
    public long PacketsLost { get; internal set; }
    /// <summary>Empty payloads, type 0, bad STAP-A lengths, FU-A with both S and E or a bad header.</summary>
    public long MalformedPayloads { get; internal set; }
    /// <summary>STAP-B, MTAP, FU-B and reserved types: not part of packetization-mode 1.</summary>
    public long UnsupportedPayloads { get; internal set; }
    /// <summary>NAL units dropped because a fragment was missing; their bytes are never emitted.</summary>
    public long FragmentedNalUnitsDropped { get; internal set; }
    /// <summary>NAL units dropped because the access unit outgrew <see cref="H264Depacketizer.MaxAccessUnitLength"/>.</summary>
    public long OversizedNalUnitsDropped { get; internal set; }
    public long FramesEmitted { get; internal set; }
    public long IncompleteFramesEmitted { get; internal set; }
}
