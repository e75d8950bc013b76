using System.Net;

namespace Pype.Core.Stun.Attributes;

/// <summary>MAPPED-ADDRESS (RFC 8489 §14.1): kept for servers that predate XOR-MAPPED-ADDRESS.</summary>
public sealed record MappedAddressAttribute(IPEndPoint EndPoint) : StunAttribute(StunAttributeType.MappedAddress)
{
    public override int ValueLength => StunAddressCodec.ValueLength(EndPoint);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        StunAddressCodec.Write(destination, EndPoint, []);

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        StunAddressCodec.Read(value, []) is { } endPoint ? new MappedAddressAttribute(endPoint) : null;
}

/// <summary>
/// XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the reflexive address XORed with the cookie and
/// transaction id, so NATs that rewrite addresses inside payloads cannot spoil it.
/// </summary>
public sealed record XorMappedAddressAttribute(IPEndPoint EndPoint) : StunAttribute(StunAttributeType.XorMappedAddress)
{
    public override int ValueLength => StunAddressCodec.ValueLength(EndPoint);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        StunAddressCodec.Write(destination, EndPoint, StunAddressCodec.XorMask(transactionId));

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        StunAddressCodec.Read(value, StunAddressCodec.XorMask(transactionId)) is { } endPoint
            ? new XorMappedAddressAttribute(endPoint)
            : null;
}
