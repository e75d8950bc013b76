namespace Pype.Core.Rtp;

/// <summary>
/// An Opus packet taken from RTP, in sequence order. <see cref="LostBefore"/> counts the packets
/// missing just before it, so the decoder can conceal them (PLC) or recover the last one from this
/// packet's in-band FEC. A timestamp step without lost packets is DTX silence, not loss.
/// </summary>
public readonly record struct ReceivedOpusPacket(
    ReadOnlyMemory<byte> OpusPacket,
    uint Timestamp,
    long? CaptureTimeMicroseconds,
    int LostBefore,
    bool StartsTalkspurt);

public sealed class OpusRtpCounters : RtpStreamCounters
{
    /// <summary>Empty payloads, treated as lost.</summary>
    public long EmptyPayloads { get; internal set; }
}

/// <summary>Takes Opus packets out of RTP (RFC 7587), reordering within a small window and reporting gaps.</summary>
public sealed class OpusRtpDepacketizer
{
    /// <summary>Five 20 ms packets: more would be the jitter buffer's work.</summary>
    public const int DefaultReorderWindow = 5;

    private readonly RtpStreamAdmission admission;
    private readonly Queue<ReceivedOpusPacket> packets = new();
    private int lostBeforeNext;

    public OpusRtpDepacketizer(int reorderWindow = DefaultReorderWindow, byte payloadType = RtpPayloadFormat.OpusPayloadType) =>
        admission = new RtpStreamAdmission(payloadType, reorderWindow, Counters);

    public OpusRtpCounters Counters { get; } = new();

    public void Push(RtpPacket packet)
    {
        if (admission.Admit(packet)) Release();
    }

    /// <summary>Gives up on missing packets: end of stream, or the caller's deadline passed.</summary>
    public void Flush()
    {
        admission.Reorder.Flush();
        Release();
    }

    public bool TryTake(out ReceivedOpusPacket packet) => packets.TryDequeue(out packet);

    private void Release()
    {
        while (admission.Reorder.TryTake(out var ordered))
        {
            var (rtp, lost) = ordered;
            lostBeforeNext += lost;
            if (rtp.Payload.IsEmpty)
            {
                Counters.EmptyPayloads++;
                lostBeforeNext++;
                continue;
            }
            packets.Enqueue(new ReceivedOpusPacket(rtp.Payload, rtp.Timestamp, rtp.CaptureTimeMicroseconds, lostBeforeNext, rtp.Marker));
            lostBeforeNext = 0;
        }
        Counters.PacketsLost = admission.Reorder.Lost;
    }
}
