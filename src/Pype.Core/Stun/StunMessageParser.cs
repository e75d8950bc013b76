using System.Buffers.Binary;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Stun;

/// <summary>
/// Parses untrusted datagrams into <see cref="ReceivedStunMessage"/>s (RFC 8489 §5, §14). Never
/// throws: every length is checked against the bytes actually present before it is used.
/// </summary>
public static class StunMessageParser
{
    private const byte TopTwoBitsMask = 0xC0;

    public static StunParseResult Parse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < StunWire.HeaderLength)
            return StunParseResult.Failure(StunParseError.ShorterThanHeader);
        if (datagram.Length > StunWire.MaxMessageLength)
            return StunParseResult.Failure(StunParseError.LongerThanMaximum);
        if ((datagram[0] & TopTwoBitsMask) != 0)
            return StunParseResult.Failure(StunParseError.TopBitsNotZero);

        var declaredLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (declaredLength % StunWire.Alignment != 0)
            return StunParseResult.Failure(StunParseError.LengthNotMultipleOfFour);
        if (StunWire.HeaderLength + declaredLength != datagram.Length)
            return StunParseResult.Failure(StunParseError.LengthDisagreesWithDatagram);
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunWire.MagicCookie)
            return StunParseResult.Failure(StunParseError.WrongMagicCookie);

        var type = StunMessageType.Decode(BinaryPrimitives.ReadUInt16BigEndian(datagram));
        var transactionId = StunTransactionId.Read(datagram[8..]);
        var attributes = new List<StunAttribute>();
        var trailer = new StunTrailerOffsets(null, null, null);
        var attributeCount = 0;

        for (var offset = StunWire.HeaderLength; offset < datagram.Length;)
        {
            if (trailer.Fingerprint is not null)
                return StunParseResult.Failure(StunParseError.AttributeAfterFingerprint);
            if (++attributeCount > StunWire.MaxAttributeCount)
                return StunParseResult.Failure(StunParseError.TooManyAttributes);
            if (datagram.Length - offset < StunWire.AttributeHeaderLength)
                return StunParseResult.Failure(StunParseError.AttributeTruncated);

            var attributeType = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            var valueOffset = offset + StunWire.AttributeHeaderLength;
            if (StunWire.Padded(valueLength) > datagram.Length - valueOffset)
                return StunParseResult.Failure(StunParseError.AttributeTruncated);

            var value = datagram.Slice(valueOffset, valueLength);
            var error = Accept(attributeType, value, offset, transactionId, attributes, ref trailer);
            if (error != StunParseError.None)
                return StunParseResult.Failure(error);

            offset = valueOffset + StunWire.Padded(valueLength);
        }

        var message = new StunMessage(type, transactionId, attributes);
        return StunParseResult.Success(new ReceivedStunMessage(message, datagram.ToArray(), trailer));
    }

    /// <summary>
    /// Places one attribute. After MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
    /// count, after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT (RFC 8489 §14.5, §14.6); the rest is
    /// walked for its length but otherwise ignored, as the RFC requires.
    /// </summary>
    private static StunParseError Accept(
        ushort attributeType,
        ReadOnlySpan<byte> value,
        int offset,
        StunTransactionId transactionId,
        List<StunAttribute> attributes,
        ref StunTrailerOffsets trailer)
    {
        var afterSha1 = trailer.MessageIntegrity is not null;
        var afterSha256 = trailer.MessageIntegritySha256 is not null;

        switch (attributeType)
        {
            case StunAttributeType.Fingerprint:
                if (value.Length != StunFingerprint.ValueLength)
                    return StunParseError.AttributeMalformed;
                trailer = trailer with { Fingerprint = offset };
                return StunParseError.None;

            case StunAttributeType.MessageIntegritySha256 when !afterSha256:
                if (!StunMessageIntegrity.IsValidSha256Length(value.Length))
                    return StunParseError.AttributeMalformed;
                trailer = trailer with { MessageIntegritySha256 = offset };
                return StunParseError.None;

            case StunAttributeType.MessageIntegrity when !afterSha1 && !afterSha256:
                if (value.Length != StunMessageIntegrity.Sha1Length)
                    return StunParseError.AttributeMalformed;
                trailer = trailer with { MessageIntegrity = offset };
                return StunParseError.None;
        }

        if (afterSha1 || afterSha256)
            return StunParseError.None;

        var attribute = StunAttributeDecoders.Decode(attributeType, value, transactionId);
        if (attribute is null)
            return StunParseError.AttributeMalformed;
        attributes.Add(attribute);
        return StunParseError.None;
    }
}
