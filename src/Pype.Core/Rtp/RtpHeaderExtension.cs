using System.Buffers.Binary;

namespace Pype.Core.Rtp;

/// <summary>
/// The RFC 8285 one-byte header extension (profile 0xBEDE) with Pype's two elements: capture time
/// (<see cref="RtpCaptureTimeExtension"/>, ID 1, two words) and send time
/// (<see cref="RtpSendTimeExtension"/>, ID 2, one word). Either may be absent; with neither there
/// is no extension. Written in that order with no padding, since both fill whole words.
/// </summary>
public static class RtpHeaderExtension
{
    /// <summary>RFC 8285 §4.2: the "defined by profile" value that marks the one-byte form.</summary>
    public const ushort OneByteHeaderProfile = 0xBEDE;

    /// <summary>RFC 8285 §4.2: local identifier 0 is a padding byte.</summary>
    public const byte PaddingId = 0;

    /// <summary>RFC 8285 §4.2: local identifier 15 is reserved; processing stops when it is seen.</summary>
    public const byte ReservedId = 15;

    /// <summary>RFC 3550 §5.3.1: 16-bit profile value and 16-bit length in 32-bit words.</summary>
    public const int HeaderLength = 4;

    /// <summary>Both elements: 4 + 8 + 4 = 16 bytes, what every Pype video packet carries.</summary>
    public const int FullLength = HeaderLength + RtpCaptureTimeExtension.ElementLength + RtpSendTimeExtension.ElementLength;

    /// <summary>Bytes of the extension for these elements; 0 when there are none.</summary>
    public static int LengthOf(long? captureTimeMicroseconds, uint? sendTime)
    {
        var elements = (captureTimeMicroseconds is null ? 0 : RtpCaptureTimeExtension.ElementLength)
            + (sendTime is null ? 0 : RtpSendTimeExtension.ElementLength);
        return elements == 0 ? 0 : HeaderLength + elements;
    }

    /// <summary>Writes the extension header and the elements present; returns the bytes written.</summary>
    public static int Write(long? captureTimeMicroseconds, uint? sendTime, Span<byte> destination)
    {
        var length = LengthOf(captureTimeMicroseconds, sendTime);
        if (length == 0)
            return 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination, OneByteHeaderProfile);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length - HeaderLength) / 4));
        var offset = HeaderLength;
        if (captureTimeMicroseconds is { } capture)
        {
            RtpCaptureTimeExtension.WriteElement(capture, destination[offset..]);
            offset += RtpCaptureTimeExtension.ElementLength;
        }
        if (sendTime is { } sent)
        {
            RtpSendTimeExtension.WriteElement(sent, destination[offset..]);
            offset += RtpSendTimeExtension.ElementLength;
        }
        return offset;
    }

    /// <summary>
    /// Walks one-byte elements (RFC 8285 §4.2): padding is skipped, ID 15 ends the walk, unknown
    /// IDs are skipped by their length, a capture-time element of another length is ignored (as
    /// before send times existed). Refused: an element running past the end of the data, and a
    /// send-time element that is not 3 bytes, since a misread stamp would feed the delay trend
    /// a made-up queue.
    /// </summary>
    public static RtpParseError ReadOneByteElements(ReadOnlySpan<byte> data, out long? captureTimeMicroseconds, out uint? sendTime)
    {
        captureTimeMicroseconds = null;
        sendTime = null;
        for (var offset = 0; offset < data.Length;)
        {
            var id = data[offset] >> 4;
            if (id == PaddingId)
            {
                offset++;
                continue;
            }
            if (id == ReservedId)
                return RtpParseError.None;

            var length = (data[offset] & 0x0F) + 1;
            var valueOffset = offset + 1;
            if (length > data.Length - valueOffset)
                return RtpParseError.ExtensionElementTruncated;
            var value = data.Slice(valueOffset, length);
            if (id == RtpCaptureTimeExtension.CaptureTimeId && length == RtpCaptureTimeExtension.ValueLength)
                captureTimeMicroseconds = RtpCaptureTimeExtension.ReadValue(value);
            else if (id == RtpSendTimeExtension.SendTimeId)
            {
                if (length != RtpSendTimeExtension.ValueLength)
                    return RtpParseError.SendTimeMalformed;
                sendTime = (uint)((value[0] << 16) | (value[1] << 8) | value[2]);
            }
            offset = valueOffset + length;
        }
        return RtpParseError.None;
    }
}
