namespace Pype.Core.Rtp;

/// <summary>What an <see cref="H264Depacketizer"/> has taken in, given up on and put out.</summary>
public sealed class H264DepacketizerCounters : RtpStreamCounters
{
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
