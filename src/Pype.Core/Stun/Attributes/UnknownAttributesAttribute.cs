using System.Buffers.Binary;

namespace Pype.Core.Stun.Attributes;

/// <summary>UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): the types a 420 error response could not understand.</summary>
public sealed record UnknownAttributesAttribute : StunAttribute
{
    public UnknownAttributesAttribute(IEnumerable<ushort> types) : base(StunAttributeType.UnknownAttributes) =>
        Types = types.ToArray();

    public IReadOnlyList<ushort> Types { get; }

    public override int ValueLength => Types.Count * sizeof(ushort);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId)
    {
        for (var i = 0; i < Types.Count; i++)
            BinaryPrimitives.WriteUInt16BigEndian(destination[(i * sizeof(ushort))..], Types[i]);
    }

    public bool Equals(UnknownAttributesAttribute? other) =>
        other is not null && Types.SequenceEqual(other.Types);

    public override int GetHashCode() => Types.Count;

    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId)
    {
        if (value.Length % sizeof(ushort) != 0)
            return null;
        var types = new ushort[value.Length / sizeof(ushort)];
        for (var i = 0; i < types.Length; i++)
            types[i] = BinaryPrimitives.ReadUInt16BigEndian(value[(i * sizeof(ushort))..]);
        return new UnknownAttributesAttribute(types);
    }
}
