using System.Buffers.Binary;
using System.Net;

namespace Pype.Core.Stun.Attributes;

// The attributes TURN adds to STUN (RFC 8656 §18). Fixed-size values that carry "RFFU" bytes
// (reserved for future use) are written as zeros and their content ignored on receipt.

/// <summary>CHANNEL-NUMBER (RFC 8656 §18.1): the channel, then two RFFU bytes.</summary>
public sealed record ChannelNumberAttribute(ushort Number) : StunAttribute(StunAttributeType.ChannelNumber)
{
    private const int Length = 4;

    public override int ValueLength => Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Number);
        destination[2..Length].Clear();
    }

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.Length == Length ? new ChannelNumberAttribute(BinaryPrimitives.ReadUInt16BigEndian(value)) : null;
}

/// <summary>LIFETIME (RFC 8656 §18.2): seconds until the allocation expires if not refreshed.</summary>
public sealed record LifetimeAttribute(uint Seconds) : StunAttribute(StunAttributeType.Lifetime)
{
    private const int Length = 4;

    public TimeSpan Lifetime => TimeSpan.FromSeconds(Seconds);

    public override int ValueLength => Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        BinaryPrimitives.WriteUInt32BigEndian(destination, Seconds);

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.Length == Length ? new LifetimeAttribute(BinaryPrimitives.ReadUInt32BigEndian(value)) : null;
}

/// <summary>XOR-PEER-ADDRESS (RFC 8656 §18.3): a peer's address, coded like XOR-MAPPED-ADDRESS.</summary>
public sealed record XorPeerAddressAttribute(IPEndPoint EndPoint) : StunAttribute(StunAttributeType.XorPeerAddress)
{
    public override int ValueLength => StunAddressCodec.ValueLength(EndPoint);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        StunAddressCodec.Write(destination, EndPoint, StunAddressCodec.XorMask(transactionId));

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        StunAddressCodec.Read(value, StunAddressCodec.XorMask(transactionId)) is { } endPoint
            ? new XorPeerAddressAttribute(endPoint)
            : null;
}

/// <summary>XOR-RELAYED-ADDRESS (RFC 8656 §18.5): the address the server relays from, coded like XOR-MAPPED-ADDRESS.</summary>
public sealed record XorRelayedAddressAttribute(IPEndPoint EndPoint) : StunAttribute(StunAttributeType.XorRelayedAddress)
{
    public override int ValueLength => StunAddressCodec.ValueLength(EndPoint);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        StunAddressCodec.Write(destination, EndPoint, StunAddressCodec.XorMask(transactionId));

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        StunAddressCodec.Read(value, StunAddressCodec.XorMask(transactionId)) is { } endPoint
            ? new XorRelayedAddressAttribute(endPoint)
            : null;
}

/// <summary>ALTERNATE-SERVER (RFC 8489 §14.15): where a 300 Try Alternate sends the client; not XOR-coded.</summary>
public sealed record AlternateServerAttribute(IPEndPoint EndPoint) : StunAttribute(StunAttributeType.AlternateServer)
{
    public override int ValueLength => StunAddressCodec.ValueLength(EndPoint);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        StunAddressCodec.Write(destination, EndPoint, []);

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        StunAddressCodec.Read(value, []) is { } endPoint ? new AlternateServerAttribute(endPoint) : null;
}

/// <summary>DATA (RFC 8656 §18.4): the application payload of a Send or Data indication.</summary>
public sealed record DataAttribute : StunAttribute
{
    public DataAttribute(ReadOnlySpan<byte> value) : base(StunAttributeType.Data) => Value = value.ToArray();

    public byte[] Value { get; }

    public override int ValueLength => Value.Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) => Value.CopyTo(destination);

    public bool Equals(DataAttribute? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => Value.Length;

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) => new DataAttribute(value);
}

/// <summary>REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): 1 = IPv4, 2 = IPv6, then three RFFU bytes.</summary>
public sealed record RequestedAddressFamilyAttribute(byte Family) : StunAttribute(StunAttributeType.RequestedAddressFamily)
{
    public const byte IPv4 = StunAddressCodec.FamilyIPv4;
    public const byte IPv6 = StunAddressCodec.FamilyIPv6;
    private const int Length = 4;

    public override int ValueLength => Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId)
    {
        destination[..Length].Clear();
        destination[0] = Family;
    }

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.Length == Length && value[0] is IPv4 or IPv6 ? new RequestedAddressFamilyAttribute(value[0]) : null;
}

/// <summary>EVEN-PORT (RFC 8656 §18.7): ask for an even relayed port, and with R set reserve the next one too.</summary>
public sealed record EvenPortAttribute(bool ReserveNextPort) : StunAttribute(StunAttributeType.EvenPort)
{
    private const byte ReserveBit = 0x80;

    public override int ValueLength => 1;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        destination[0] = ReserveNextPort ? ReserveBit : (byte)0;

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.Length == 1 ? new EvenPortAttribute((value[0] & ReserveBit) != 0) : null;
}

/// <summary>REQUESTED-TRANSPORT (RFC 8656 §18.8): the IANA protocol number of the relayed transport, then three RFFU bytes.</summary>
public sealed record RequestedTransportAttribute(byte Protocol) : StunAttribute(StunAttributeType.RequestedTransport)
{
    public const byte Udp = 17;
    private const int Length = 4;

    public override int ValueLength => Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId)
    {
        destination[..Length].Clear();
        destination[0] = Protocol;
    }

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.Length == Length ? new RequestedTransportAttribute(value[0]) : null;
}

/// <summary>DONT-FRAGMENT (RFC 8656 §18.9): no value; asks the server to set DF towards the peer.</summary>
public sealed record DontFragmentAttribute() : StunAttribute(StunAttributeType.DontFragment)
{
    public override int ValueLength => 0;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId)
    {
    }

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.IsEmpty ? new DontFragmentAttribute() : null;
}

/// <summary>RESERVATION-TOKEN (RFC 8656 §18.10): 8 opaque bytes naming a port the server holds for us.</summary>
public sealed record ReservationTokenAttribute(ulong Token) : StunAttribute(StunAttributeType.ReservationToken)
{
    private const int Length = 8;

    public override int ValueLength => Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, Token);

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        value.Length == Length ? new ReservationTokenAttribute(BinaryPrimitives.ReadUInt64BigEndian(value)) : null;
}
