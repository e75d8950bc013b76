using System.Buffers.Binary;

namespace Pype.Core.Rtp;

/// <summary>
/// Reads and writes RTP packets (RFC 3550 §5.1, §5.3.1) with the RFC 8285 one-byte header
/// extension. Parsing never throws: every length is checked against the bytes present.
/// </summary>
public static class RtpPacketCodec
{
    public const int Version = 2;

    private const int VersionShift = 6;
    private const byte PaddingBit = 0x20;
    private const byte ExtensionBit = 0x10;
    private const byte CsrcCountMask = 0x0F;
    private const byte MarkerBit = 0x80;
    private const byte PayloadTypeMask = 0x7F;

    public static RtpParseResult Parse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < RtpLimits.FixedHeaderLength)
            return RtpParseResult.Failure(RtpParseError.ShorterThanHeader);
        if (datagram[0] >> VersionShift != Version)
            return RtpParseResult.Failure(RtpParseError.WrongVersion);

        var hasPadding = (datagram[0] & PaddingBit) != 0;
        var hasExtension = (datagram[0] & ExtensionBit) != 0;
        var csrcCount = datagram[0] & CsrcCountMask;
        var offset = RtpLimits.FixedHeaderLength;

        if (datagram.Length - offset < csrcCount * RtpLimits.CsrcLength)
            return RtpParseResult.Failure(RtpParseError.CsrcListTruncated);
        var csrcs = new uint[csrcCount];
        for (var i = 0; i < csrcCount; i++, offset += RtpLimits.CsrcLength)
            csrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(datagram[offset..]);

        long? captureTime = null;
        uint? sendTime = null;
        if (hasExtension)
        {
            if (datagram.Length - offset < RtpHeaderExtension.HeaderLength)
                return RtpParseResult.Failure(RtpParseError.ExtensionTruncated);
            var profile = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            var dataLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]) * 4;
            offset += RtpHeaderExtension.HeaderLength;
            if (datagram.Length - offset < dataLength)
                return RtpParseResult.Failure(RtpParseError.ExtensionTruncated);
            var data = datagram.Slice(offset, dataLength);
            if (profile == RtpHeaderExtension.OneByteHeaderProfile
                && RtpHeaderExtension.ReadOneByteElements(data, out captureTime, out sendTime) is var error and not RtpParseError.None)
                return RtpParseResult.Failure(error);
            offset += dataLength;
        }

        var end = datagram.Length;
        byte paddingLength = 0;
        if (hasPadding)
        {
            paddingLength = datagram[^1];
            if (paddingLength == 0)
                return RtpParseResult.Failure(RtpParseError.PaddingCountZero);
            if (paddingLength > end - offset)
                return RtpParseResult.Failure(RtpParseError.PaddingLongerThanPayload);
            end -= paddingLength;
        }

        var packet = new RtpPacket(
            Marker: (datagram[1] & MarkerBit) != 0,
            PayloadType: (byte)(datagram[1] & PayloadTypeMask),
            SequenceNumber: BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            Timestamp: BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            Ssrc: BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]),
            Payload: datagram[offset..end].ToArray())
        {
            Csrcs = csrcs,
            CaptureTimeMicroseconds = captureTime,
            SendTime = sendTime,
            PaddingLength = paddingLength,
        };
        return RtpParseResult.Success(packet);
    }

    /// <summary>Bytes <see cref="Write"/> needs for this packet.</summary>
    public static int LengthOf(RtpPacket packet) =>
        RtpLimits.FixedHeaderLength
        + packet.Csrcs.Count * RtpLimits.CsrcLength
        + RtpHeaderExtension.LengthOf(packet.CaptureTimeMicroseconds, packet.SendTime)
        + packet.Payload.Length
        + packet.PaddingLength;

    public static byte[] Serialize(RtpPacket packet)
    {
        var bytes = new byte[LengthOf(packet)];
        Write(packet, bytes);
        return bytes;
    }

    /// <summary>Writes the packet and returns its length. Our own packets only: invalid fields throw.</summary>
    public static int Write(RtpPacket packet, Span<byte> destination)
    {
        if (packet.Csrcs.Count > RtpLimits.MaxCsrcCount)
            throw new ArgumentException("At most 15 CSRCs fit the header.", nameof(packet));
        if (packet.PayloadType > PayloadTypeMask)
            throw new ArgumentException("The payload type has seven bits.", nameof(packet));
        var length = LengthOf(packet);
        if (destination.Length < length)
            throw new ArgumentException("Destination too small.", nameof(destination));

        var hasExtension = packet.CaptureTimeMicroseconds is not null || packet.SendTime is not null;
        destination[0] = (byte)((Version << VersionShift)
            | (packet.PaddingLength > 0 ? PaddingBit : 0)
            | (hasExtension ? ExtensionBit : 0)
            | packet.Csrcs.Count);
        destination[1] = (byte)((packet.Marker ? MarkerBit : 0) | packet.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], packet.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], packet.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], packet.Ssrc);
        var offset = RtpLimits.FixedHeaderLength;
        foreach (var csrc in packet.Csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += RtpLimits.CsrcLength;
        }
        offset += RtpHeaderExtension.Write(packet.CaptureTimeMicroseconds, packet.SendTime, destination[offset..]);
        packet.Payload.Span.CopyTo(destination[offset..]);
        offset += packet.Payload.Length;
        if (packet.PaddingLength > 0)
        {
            destination.Slice(offset, packet.PaddingLength - 1).Clear();
            offset += packet.PaddingLength;
            destination[offset - 1] = packet.PaddingLength;
        }
        return offset;
    }
}
