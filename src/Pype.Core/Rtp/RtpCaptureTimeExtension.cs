using System.Buffers.Binary;

namespace Pype.Core.Rtp;

/// <summary>
/// Pype's capture-time element in the RFC 8285 one-byte header extension form (profile 0xBEDE).
/// Local identifier 1; value: capture time in microseconds since the Unix epoch, as a 56-bit
/// unsigned big-endian integer (7 bytes).
/// <para>
/// Why 56 bits: element header (1) + 7 value bytes = 8 bytes = exactly two 32-bit words, so the
/// extension is 4 + 8 = 12 bytes with no padding. A 64-bit value would need 9 bytes, padded to 12,
/// making the extension 16 bytes: 4 bytes more on every packet for nothing, since 2^56 µs is about
/// 2283 years. 48 bits would wrap after about 8.9 years, which is too short to leave unhandled.
/// </para>
/// </summary>
public static class RtpCaptureTimeExtension
{
    /// <summary>RFC 8285 §4.2: the "defined by profile" value that marks the one-byte form.</summary>
    public const ushort OneByteHeaderProfile = 0xBEDE;

    /// <summary>RFC 8285 §4.2: local identifier 0 is a padding byte.</summary>
    public const byte PaddingId = 0;

    /// <summary>RFC 8285 §4.2: local identifier 15 is reserved; processing stops when it is seen.</summary>
    public const byte ReservedId = 15;

    public const byte CaptureTimeId = 1;

    public const int ValueLength = 7;

    /// <summary>One element header byte plus the value.</summary>
    public const int ElementLength = 1 + ValueLength;

    /// <summary>RFC 3550 §5.3.1: 16-bit profile value and 16-bit length in 32-bit words.</summary>
    public const int ExtensionHeaderLength = 4;

    public const int ExtensionLength = ExtensionHeaderLength + ElementLength;

    public const long MaxValue = (1L << (ValueLength * 8)) - 1;

    /// <summary>Writes the whole extension (header and element) into 12 bytes.</summary>
    public static void Write(long captureTimeMicroseconds, Span<byte> destination)
    {
        if (captureTimeMicroseconds is < 0 or > MaxValue)
            throw new ArgumentOutOfRangeException(nameof(captureTimeMicroseconds), "Capture time must fit 56 unsigned bits.");
        BinaryPrimitives.WriteUInt16BigEndian(destination, OneByteHeaderProfile);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ElementLength / 4);
        destination[4] = (byte)((CaptureTimeId << 4) | (ValueLength - 1));
        for (var i = 0; i < ValueLength; i++)
            destination[5 + i] = (byte)(captureTimeMicroseconds >> (8 * (ValueLength - 1 - i)));
    }

    /// <summary>
    /// Walks one-byte elements (RFC 8285 §4.2) and returns the capture time if present. Other
    /// identifiers are skipped; a capture-time element of another length is ignored. Returns false
    /// only when an element runs past the end of the extension data.
    /// </summary>
    public static bool TryReadOneByteElements(ReadOnlySpan<byte> data, out long? captureTimeMicroseconds)
    {
        captureTimeMicroseconds = null;
        for (var offset = 0; offset < data.Length;)
        {
            var id = data[offset] >> 4;
            if (id == PaddingId)
            {
                offset++;
                continue;
            }
            if (id == ReservedId)
                return true;

            var length = (data[offset] & 0x0F) + 1;
            var valueOffset = offset + 1;
            if (length > data.Length - valueOffset)
                return false;
            if (id == CaptureTimeId && length == ValueLength)
                captureTimeMicroseconds = ReadValue(data.Slice(valueOffset, ValueLength));
            offset = valueOffset + length;
        }
        return true;
    }

    private static long ReadValue(ReadOnlySpan<byte> value)
    {
        long result = 0;
        foreach (var b in value)
            result = (result << 8) | b;
        return result;
    }
}
