using System.Diagnostics.CodeAnalysis;

namespace Pype.Core.Rtp;

/// <summary>
/// Rebuilds H.264 access units from RTP packets (RFC 6184, packetization-mode 1). Packets are put
/// back in order within a window of <see cref="DefaultReorderWindow"/> sequence numbers; FU-A
/// fragments are joined, and a NAL unit missing any fragment is dropped and counted, never
/// emitted in part; STAP-A packets are unpacked. Frames come out in order through
/// <see cref="TryTake"/>, each with an access-unit delimiter in front, its RTP timestamp, capture
/// time and whether any of it was lost. Nothing the peer sends makes it throw.
/// </summary>
public sealed class H264Depacketizer
{
    /// <summary>A 30 KB keyframe is about 27 packets; a window of 64 rides out reordering across it.</summary>
    public const int DefaultReorderWindow = 64;

    /// <summary>A bound on one access unit's bytes (a 1080p keyframe is a few hundred KB).</summary>
    public const int MaxAccessUnitLength = 4 * 1024 * 1024;

    private readonly RtpStreamAdmission admission;
    private readonly H264FrameAssembler assembler;
    private readonly Queue<DepacketizedAccessUnit> frames = new();

    public H264Depacketizer(int reorderWindow = DefaultReorderWindow, byte payloadType = RtpPayloadFormat.H264PayloadType)
    {
        admission = new RtpStreamAdmission(payloadType, reorderWindow, Counters);
        assembler = new H264FrameAssembler(Counters, MaxAccessUnitLength, frames.Enqueue);
    }

    public H264DepacketizerCounters Counters { get; } = new();

    public void Push(RtpPacket packet)
    {
        if (admission.Admit(packet)) Assemble();
    }

    /// <summary>Gives up on missing packets and emits the frame in progress: end of stream, or the caller's deadline passed.</summary>
    public void Flush()
    {
        admission.Reorder.Flush();
        Assemble();
        assembler.Flush();
    }

    public bool TryTake([NotNullWhen(true)] out DepacketizedAccessUnit? frame) => frames.TryDequeue(out frame);

    private void Assemble()
    {
        while (admission.Reorder.TryTake(out var ordered))
            assembler.Accept(ordered.Packet, ordered.LostBefore);
        Counters.PacketsLost = admission.Reorder.Lost;
    }
}
