using System.Buffers.Binary;
using System.Net;
using CsCheck;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Tests.Stun;

/// <summary>Random well-formed STUN messages, kept well under 1500 bytes once encoded.</summary>
public static class StunGenerators
{
    private static readonly Gen<string> Text =
        Gen.OneOf(Gen.Char[' ', '~'], Gen.Char["éßマトリックス€"]).Array[0, 30].Select(chars => new string(chars));

    private static readonly Gen<IPEndPoint> EndPoint =
        Gen.Select(Gen.Bool, Gen.Byte.Array[16], Gen.UShort, (isV6, address, port) =>
            new IPEndPoint(new IPAddress(isV6 ? address : address[..4]), port));

    private static readonly Gen<StunAttribute> Attribute = Gen.OneOf<StunAttribute>(
        EndPoint.Select(endPoint => (StunAttribute)new XorMappedAddressAttribute(endPoint)),
        EndPoint.Select(endPoint => (StunAttribute)new MappedAddressAttribute(endPoint)),
        Text.Select(text => (StunAttribute)new UsernameAttribute(text)),
        Text.Select(text => (StunAttribute)new RealmAttribute(text)),
        Text.Select(text => (StunAttribute)new NonceAttribute(text)),
        Text.Select(text => (StunAttribute)new SoftwareAttribute(text)),
        Gen.Select(Gen.Int[ErrorCodeAttribute.MinCode, ErrorCodeAttribute.MaxCode], Text,
            (code, reason) => (StunAttribute)new ErrorCodeAttribute(code, reason)),
        Gen.UShort.Array[0, 8].Select(types => (StunAttribute)new UnknownAttributesAttribute(types)),
        Gen.Select(Gen.UShort.Where(type => !StunAttributeDecoders.IsUnderstood(type)), Gen.Byte.Array[0, 40],
            (type, value) => (StunAttribute)new RawStunAttribute(type, value)));

    public static readonly Gen<StunMessage> Message =
        Gen.Select(Gen.Enum<StunClass>(), Gen.UShort[0, StunMessageType.MaxMethod], Gen.Byte.Array[StunTransactionId.Length], Attribute.Array[0, 10],
            (stunClass, method, transactionId, attributes) => new StunMessage(
                new StunMessageType(stunClass, (StunMethod)method), StunTransactionId.Read(transactionId), attributes));

    public static readonly Gen<StunMessageProtection> Protection =
        Gen.Select(Text, Gen.Int[0, 3], Gen.Bool, (password, algorithms, fingerprint) => algorithms == 0
            ? new StunMessageProtection(Fingerprint: fingerprint)
            : StunMessageProtection.WithIntegrity(StunIntegrityKey.ShortTerm(password), (StunIntegrityAlgorithms)algorithms, fingerprint));

    /// <summary>Messages encoded with FINGERPRINT, integrity or both, with the key to check them.</summary>
    public static readonly Gen<(StunMessage Message, byte[] Bytes, StunMessageProtection Protection)> ProtectedMessage =
        Gen.Select(Message, Protection)
            .Where((_, protection) => protection.Fingerprint || protection.Integrity != StunIntegrityAlgorithms.None)
            .Select((message, protection) => (message, StunMessageEncoder.Encode(message, protection), protection));

    private static readonly ushort[] InterestingTypes =
    [
        StunAttributeType.MappedAddress, StunAttributeType.XorMappedAddress, StunAttributeType.Username,
        StunAttributeType.ErrorCode, StunAttributeType.UnknownAttributes, StunAttributeType.Software,
        StunAttributeType.MessageIntegrity, StunAttributeType.MessageIntegritySha256, StunAttributeType.Fingerprint,
    ];

    /// <summary>
    /// Attribute-shaped fragments: well-formed attributes (some with a lying length), trailer
    /// attributes with random values, and random type-length-value triples.
    /// </summary>
    private static readonly Gen<byte[]> AttributeShapedBytes = Gen.Frequency(
        (4, Gen.Select(Attribute, Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[-8, 8])), EncodedAlone)),
        (1, Gen.Select(Gen.OneOf(InterestingTypes), Gen.OneOf(0, 4, 8, 16, 20, 32), (type, length) => Fragment(type, new byte[length], 0))),
        (2, Gen.Select(Gen.Frequency((3, Gen.OneOf(InterestingTypes)), (1, Gen.UShort)), Gen.Byte.Array[0, 40], Gen.Int[-8, 8], Fragment)));

    private static byte[] EncodedAlone(StunAttribute attribute, int lengthLie)
    {
        var message = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, default, attribute), StunMessageProtection.Unprotected);
        var bytes = message[StunWire.HeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)Math.Max(0, attribute.ValueLength + lengthLie));
        return bytes;
    }

    private static byte[] Fragment(ushort type, byte[] value, int lengthLie)
    {
        var bytes = new byte[StunWire.AttributeHeaderLength + StunWire.Padded(value.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)Math.Max(0, value.Length + lengthLie));
        value.CopyTo(bytes, StunWire.AttributeHeaderLength);
        return bytes;
    }

    /// <summary>
    /// Bytes with a valid header (top bits zero, magic cookie, matching length) and random
    /// attribute-shaped content, so random input gets past the header and exercises the attribute walk.
    /// </summary>
    public static readonly Gen<byte[]> HeaderShapedBytes =
        Gen.Select(Gen.UShort[0, 0x3FFF], Gen.Byte.Array[StunTransactionId.Length], AttributeShapedBytes.Array[1, 8])
            .Select((type, transactionId, attributes) =>
            {
                var body = attributes.SelectMany(attribute => attribute).ToArray();
                var bytes = new byte[StunWire.HeaderLength + body.Length];
                BinaryPrimitives.WriteUInt16BigEndian(bytes, type);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)body.Length);
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), StunWire.MagicCookie);
                transactionId.CopyTo(bytes, 8);
                body.CopyTo(bytes, StunWire.HeaderLength);
                return bytes;
            });
}
