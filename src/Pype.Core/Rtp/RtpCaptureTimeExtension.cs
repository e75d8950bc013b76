namespace Pype.Core.Rtp;

/// <summary>
/// Pype's capture-time element in the RFC 8285 one-byte header extension form (profile 0xBEDE,
/// <see cref="RtpHeaderExtension"/>). Local identifier 1; value: capture time in microseconds since
/// the Unix epoch, as a 56-bit unsigned big-endian integer (7 bytes).
/// <para>
/// Why 56 bits: element header (1) + 7 value bytes = 8 bytes = exactly two 32-bit words, so the
/// extension is 4 + 8 = 12 bytes with no padding. A 64-bit value would need 9 bytes, padded to 12,
/// making the extension 16 bytes: 4 bytes more on every packet for nothing, since 2^56 µs is about
/// 2283 years. 48 bits would wrap after about 8.9 years, which is too short to leave unhandled.
/// </para>
/// </summary>
public static class RtpCaptureTimeExtension
{
    public const byte CaptureTimeId = 1;

    public const int ValueLength = 7;

    /// <summary>One element header byte plus the value.</summary>
    public const int ElementLength = 1 + ValueLength;

    /// <summary>An extension carrying the capture time alone (audio, and packets of older Pype versions).</summary>
    public const int ExtensionLength = RtpHeaderExtension.HeaderLength + ElementLength;

    public const long MaxValue = (1L << (ValueLength * 8)) - 1;

    internal static void WriteElement(long captureTimeMicroseconds, Span<byte> destination)
    {
        if (captureTimeMicroseconds is < 0 or > MaxValue)
            throw new ArgumentOutOfRangeException(nameof(captureTimeMicroseconds), "Capture time must fit 56 unsigned bits.");
        destination[0] = (byte)((CaptureTimeId << 4) | (ValueLength - 1));
        for (var i = 0; i < ValueLength; i++)
            destination[1 + i] = (byte)(captureTimeMicroseconds >> (8 * (ValueLength - 1 - i)));
    }

    internal static long ReadValue(ReadOnlySpan<byte> value)
    {
        long result = 0;
        foreach (var b in value)
            result = (result << 8) | b;
        return result;
    }
}
