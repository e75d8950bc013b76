using System.Buffers.Binary;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Stun;

/// <summary>
/// Writes our own STUN messages. Input here is built by our code, so a message that cannot be
/// encoded (too large, a value over 65535 bytes) is a programming error and throws.
/// </summary>
public static class StunMessageEncoder
{
    private const int LengthFieldOffset = 2;
    private const int Sha256IntegrityLength = StunMessageIntegrity.Sha256MaxLength;

    public static byte[] Encode(StunMessage message, StunMessageProtection? protection = null) =>
        Encode(message, protection ?? StunMessageProtection.FingerprintOnly, paddingByte: 0);

    /// <summary>
    /// Padding content is meaningless to receivers (RFC 8489 §14); choosing it lets tests
    /// reproduce RFC 5769's vectors byte for byte, whose padding is spaces.
    /// </summary>
    internal static byte[] Encode(StunMessage message, StunMessageProtection protection, byte paddingByte)
    {
        var addsSha1 = protection.Integrity.HasFlag(StunIntegrityAlgorithms.Sha1);
        var addsSha256 = protection.Integrity.HasFlag(StunIntegrityAlgorithms.Sha256);
        if ((addsSha1 || addsSha256) && protection.IntegrityKey is null)
            throw new ArgumentException("Message integrity needs a key.", nameof(protection));

        var length = StunWire.HeaderLength + message.Attributes.Sum(EncodedLength)
            + (addsSha1 ? StunWire.AttributeHeaderLength + StunMessageIntegrity.Sha1Length : 0)
            + (addsSha256 ? StunWire.AttributeHeaderLength + Sha256IntegrityLength : 0)
            + (protection.Fingerprint ? StunFingerprint.AttributeLength : 0);
        if (length > StunWire.MaxMessageLength)
            throw new ArgumentException($"The message would be {length} bytes, over {StunWire.MaxMessageLength}.", nameof(message));

        var buffer = new byte[length];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, message.Type.Encode());
        BinaryPrimitives.WriteUInt16BigEndian(span[LengthFieldOffset..], (ushort)(length - StunWire.HeaderLength));
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], StunWire.MagicCookie);
        message.TransactionId.WriteTo(span[8..]);

        var offset = StunWire.HeaderLength;
        foreach (var attribute in message.Attributes)
            offset = WriteAttribute(span, offset, attribute, message.TransactionId, paddingByte);

        if (addsSha1)
            offset = WriteIntegrity(span, offset, StunAttributeType.MessageIntegrity, StunIntegrityAlgorithms.Sha1, StunMessageIntegrity.Sha1Length, protection.IntegrityKey!);
        if (addsSha256)
            offset = WriteIntegrity(span, offset, StunAttributeType.MessageIntegritySha256, StunIntegrityAlgorithms.Sha256, Sha256IntegrityLength, protection.IntegrityKey!);
        if (protection.Fingerprint)
        {
            WriteAttributeHeader(span[offset..], StunAttributeType.Fingerprint, StunFingerprint.ValueLength);
            var fingerprint = StunFingerprint.Compute(span[..offset]);
            BinaryPrimitives.WriteUInt32BigEndian(span[(offset + StunWire.AttributeHeaderLength)..], fingerprint);
        }
        return buffer;
    }

    private static int EncodedLength(StunAttribute attribute)
    {
        if (attribute.ValueLength > ushort.MaxValue)
            throw new ArgumentException($"Attribute 0x{attribute.Type:X4} is longer than 65535 bytes.");
        return StunWire.AttributeHeaderLength + StunWire.Padded(attribute.ValueLength);
    }

    private static int WriteAttribute(Span<byte> message, int offset, StunAttribute attribute, StunTransactionId transactionId, byte paddingByte)
    {
        WriteAttributeHeader(message[offset..], attribute.Type, attribute.ValueLength);
        var valueOffset = offset + StunWire.AttributeHeaderLength;
        attribute.WriteValue(message.Slice(valueOffset, attribute.ValueLength), transactionId);
        var end = valueOffset + StunWire.Padded(attribute.ValueLength);
        message[(valueOffset + attribute.ValueLength)..end].Fill(paddingByte);
        return end;
    }

    private static int WriteIntegrity(Span<byte> message, int offset, ushort type, StunIntegrityAlgorithms algorithm, int macLength, StunIntegrityKey key)
    {
        WriteAttributeHeader(message[offset..], type, macLength);
        var valueOffset = offset + StunWire.AttributeHeaderLength;
        StunMessageIntegrity.Compute(message[..offset], algorithm, key, message.Slice(valueOffset, macLength));
        return valueOffset + macLength;
    }

    private static void WriteAttributeHeader(Span<byte> destination, ushort type, int valueLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)valueLength);
    }
}
