namespace Pype.Core.Rtp;

/// <summary>
/// One Opus packet per RTP packet (RFC 7587 §4.2), timestamps on the 48 kHz clock whatever the
/// encoder's rate (§4.1). The marker bit is set on the first packet of a talkspurt (RFC 3551
/// §4.1): the stream's first packet, and the first after a silence in which discontinuous
/// transmission sent nothing, seen as a timestamp step longer than one frame.
/// </summary>
public sealed class OpusRtpPacketizer
{
    /// <summary>20 ms at 48 kHz.</summary>
    public const int DefaultFrameTicks = 960;

    private readonly uint ssrc;
    private readonly int frameTicks;
    private uint? lastTimestamp;

    public OpusRtpPacketizer(uint ssrc, ushort initialSequenceNumber, int frameTicks = DefaultFrameTicks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameTicks, 1);
        this.ssrc = ssrc;
        this.frameTicks = frameTicks;
        NextSequenceNumber = initialSequenceNumber;
    }

    public ushort NextSequenceNumber { get; private set; }

    /// <param name="opusPacket">One encoder output; at most <see cref="RtpLimits.MaxPayloadLength"/> bytes.</param>
    /// <param name="timestamp">48 kHz RTP timestamp of the packet's first sample.</param>
    public RtpPacket Packetize(ReadOnlyMemory<byte> opusPacket, uint timestamp, long captureTimeMicroseconds)
    {
        if (opusPacket.Length > RtpLimits.MaxPayloadLength)
            throw new ArgumentException($"An Opus packet above {RtpLimits.MaxPayloadLength} bytes does not fit a datagram.", nameof(opusPacket));

        var startsTalkspurt = lastTimestamp is not { } last || unchecked(timestamp - last) > (uint)frameTicks;
        lastTimestamp = timestamp;
        var packet = new RtpPacket(startsTalkspurt, RtpPayloadFormat.OpusPayloadType, NextSequenceNumber, timestamp, ssrc, opusPacket.ToArray())
        {
            CaptureTimeMicroseconds = captureTimeMicroseconds,
        };
        NextSequenceNumber = unchecked((ushort)(NextSequenceNumber + 1));
        return packet;
    }
}
