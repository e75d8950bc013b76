using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Pype.Core.Stun;

/// <summary>
/// HMAC over a message prefix for MESSAGE-INTEGRITY (HMAC-SHA1, 20 bytes) and
/// MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, 16–32 bytes in steps of 4), RFC 8489 §14.5–§14.6.
/// The HMAC covers every byte before the attribute, with the header length rewritten to end
/// just after the attribute, so later attributes (FINGERPRINT) can be appended without breaking it.
/// </summary>
internal static class StunMessageIntegrity
{
    public const int Sha1Length = 20;
    public const int Sha256MinLength = 16;
    public const int Sha256MaxLength = 32;

    private const int LengthFieldOffset = 2;

    public static bool IsValidSha256Length(int length) =>
        length is >= Sha256MinLength and <= Sha256MaxLength && length % StunWire.Alignment == 0;

    public static void Compute(
        ReadOnlySpan<byte> bytesBeforeAttribute,
        StunIntegrityAlgorithms algorithm,
        StunIntegrityKey key,
        Span<byte> destination)
    {
        Span<byte> prefix = stackalloc byte[bytesBeforeAttribute.Length];
        bytesBeforeAttribute.CopyTo(prefix);
        var lengthThroughAttribute = prefix.Length - StunWire.HeaderLength + StunWire.AttributeHeaderLength + destination.Length;
        BinaryPrimitives.WriteUInt16BigEndian(prefix[LengthFieldOffset..], (ushort)lengthThroughAttribute);

        Span<byte> mac = stackalloc byte[Sha256MaxLength];
        var macLength = algorithm == StunIntegrityAlgorithms.Sha256
            ? HMACSHA256.HashData(key.Bytes, prefix, mac)
            : HMACSHA1.HashData(key.Bytes, prefix, mac);
        mac[..Math.Min(macLength, destination.Length)].CopyTo(destination);
    }

    public static bool Verify(ReadOnlySpan<byte> message, int attributeOffset, StunIntegrityAlgorithms algorithm, StunIntegrityKey key)
    {
        var valueLength = BinaryPrimitives.ReadUInt16BigEndian(message[(attributeOffset + 2)..]);
        var received = message.Slice(attributeOffset + StunWire.AttributeHeaderLength, valueLength);
        Span<byte> expected = stackalloc byte[valueLength];
        Compute(message[..attributeOffset], algorithm, key, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }
}
