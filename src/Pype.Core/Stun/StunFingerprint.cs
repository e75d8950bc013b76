using System.Buffers.Binary;

namespace Pype.Core.Stun;

/// <summary>
/// FINGERPRINT (RFC 8489 §14.7): CRC-32 of everything before the attribute, XORed with a constant
/// so that a STUN message inside another CRC-32-protected protocol still looks distinct.
/// </summary>
internal static class StunFingerprint
{
    public const uint XorValue = 0x5354554E;
    public const int ValueLength = 4;
    public const int AttributeLength = StunWire.AttributeHeaderLength + ValueLength;

    /// <summary>The length field must already count the FINGERPRINT attribute.</summary>
    public static uint Compute(ReadOnlySpan<byte> bytesBeforeFingerprint) =>
        Crc32.Compute(bytesBeforeFingerprint) ^ XorValue;

    public static bool Verify(ReadOnlySpan<byte> message, int attributeOffset)
    {
        var expected = BinaryPrimitives.ReadUInt32BigEndian(message[(attributeOffset + StunWire.AttributeHeaderLength)..]);
        return Compute(message[..attributeOffset]) == expected;
    }
}
