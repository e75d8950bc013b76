namespace Pype.Core.Stun.Attributes;

/// <summary>Turns an attribute value into its typed record, or null when the value is malformed.</summary>
internal delegate StunAttribute? StunAttributeValueDecoder(ReadOnlySpan<byte> value, StunTransactionId transactionId);

/// <summary>
/// The attributes this codec understands. Everything else becomes a <see cref="RawStunAttribute"/>
/// and, when comprehension-required, counts as unknown (RFC 8489 §6.3.1).
/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are not here: the parser handles
/// them itself because their meaning depends on where they sit in the message.
/// </summary>
internal static class StunAttributeDecoders
{
    private static readonly Dictionary<ushort, StunAttributeValueDecoder> ByType = new()
    {
        [StunAttributeType.MappedAddress] = MappedAddressAttribute.Decode,
        [StunAttributeType.XorMappedAddress] = XorMappedAddressAttribute.Decode,
        [StunAttributeType.Username] = UsernameAttribute.Decode,
        [StunAttributeType.Realm] = RealmAttribute.Decode,
        [StunAttributeType.Nonce] = NonceAttribute.Decode,
        [StunAttributeType.Software] = SoftwareAttribute.Decode,
        [StunAttributeType.ErrorCode] = ErrorCodeAttribute.Decode,
        [StunAttributeType.UnknownAttributes] = UnknownAttributesAttribute.Decode,
        [StunAttributeType.AlternateServer] = AlternateServerAttribute.Decode,
        [StunAttributeType.ChannelNumber] = ChannelNumberAttribute.Decode,
        [StunAttributeType.Lifetime] = LifetimeAttribute.Decode,
        [StunAttributeType.XorPeerAddress] = XorPeerAddressAttribute.Decode,
        [StunAttributeType.Data] = DataAttribute.Decode,
        [StunAttributeType.XorRelayedAddress] = XorRelayedAddressAttribute.Decode,
        [StunAttributeType.RequestedAddressFamily] = RequestedAddressFamilyAttribute.Decode,
        [StunAttributeType.EvenPort] = EvenPortAttribute.Decode,
        [StunAttributeType.RequestedTransport] = RequestedTransportAttribute.Decode,
        [StunAttributeType.DontFragment] = DontFragmentAttribute.Decode,
        [StunAttributeType.ReservationToken] = ReservationTokenAttribute.Decode,
    };

    public static bool IsUnderstood(ushort type) =>
        ByType.ContainsKey(type)
        || type is StunAttributeType.MessageIntegrity
            or StunAttributeType.MessageIntegritySha256
            or StunAttributeType.Fingerprint;

    public static StunAttribute? Decode(ushort type, ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        ByType.TryGetValue(type, out var decode) ? decode(value, transactionId) : new RawStunAttribute(type, value);
}
