using System.Buffers.Binary;
using System.Net;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Stun;

/// <summary>
/// The seed's STUN server (RFC 8489 §6.3): tells a node the address its Binding request came
/// from. Unauthenticated by design (Binding needs no credentials, §12); USERNAME and
/// MESSAGE-INTEGRITY in a request are understood but not checked. Anything that is not a
/// well-formed Binding request gets no answer, so the seed never amplifies junk.
/// </summary>
public static class StunBindingResponder
{
    public const string Software = "pype";
    public const string UnknownAttributeReason = "Unknown Attribute";

    /// <summary>
    /// Whether a datagram the classifier called STUN is a request (both class bits, C1 0x0100 and
    /// C0 0x0010, clear): the node's socket answers those itself and routes only responses on.
    /// </summary>
    public static bool IsRequest(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 2 && (BinaryPrimitives.ReadUInt16BigEndian(datagram) & 0x0110) == 0;

    /// <summary>The response datagram, or null when the request must be dropped.</summary>
    public static byte[]? Respond(ReadOnlySpan<byte> request, IPEndPoint source)
    {
        var parsed = StunMessageParser.Parse(request);
        if (!parsed.IsSuccess)
            return null;

        var received = parsed.Message;
        if (received.Type != StunMessageType.BindingRequest)
            return null;
        if (received.HasFingerprint && !received.VerifyFingerprint())
            return null;

        var unknown = received.Message.UnknownComprehensionRequiredTypes();
        var response = unknown.Count > 0
            ? new StunMessage(
                StunMessageType.BindingError,
                received.TransactionId,
                new ErrorCodeAttribute(ErrorCodeAttribute.UnknownAttribute, UnknownAttributeReason),
                new UnknownAttributesAttribute(unknown),
                new SoftwareAttribute(Software))
            : new StunMessage(
                StunMessageType.BindingSuccess,
                received.TransactionId,
                new XorMappedAddressAttribute(Reflexive(source)),
                new SoftwareAttribute(Software));
        return StunMessageEncoder.Encode(response, StunMessageProtection.FingerprintOnly);
    }

    /// <summary>A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; the peer knows itself as a.b.c.d.</summary>
    private static IPEndPoint Reflexive(IPEndPoint source) =>
        source.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(source.Address.MapToIPv4(), source.Port) : source;
}
