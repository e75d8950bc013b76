namespace Pype.Core.Rtp;

/// <summary>
/// One RTP packet (RFC 3550 §5.1). Version is always 2. <see cref="CaptureTimeMicroseconds"/> is
/// Pype's capture-time header extension element (see <see cref="RtpCaptureTimeExtension"/>),
/// <see cref="SendTime"/> its send-time element (<see cref="RtpSendTimeExtension"/>);
/// <see cref="PaddingLength"/> counts the padding octets after the payload, including the last one
/// that holds the count (0 = no padding).
/// </summary>
public sealed record RtpPacket(
    bool Marker,
    byte PayloadType,
    ushort SequenceNumber,
    uint Timestamp,
    uint Ssrc,
    ReadOnlyMemory<byte> Payload)
{
    public IReadOnlyList<uint> Csrcs { get; init; } = [];

    /// <summary>When the frame was captured, in microseconds since the Unix epoch; null when absent.</summary>
    public long? CaptureTimeMicroseconds { get; init; }

    /// <summary>When the sender handed the packet to the network: 24-bit abs-send-time (6.18 s); null when absent.</summary>
    public uint? SendTime { get; init; }

    public byte PaddingLength { get; init; }
}
