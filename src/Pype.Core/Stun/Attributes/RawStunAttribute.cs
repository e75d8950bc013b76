namespace Pype.Core.Stun.Attributes;

/// <summary>An attribute this codec has no typed form for; its value is carried through untouched.</summary>
public sealed record RawStunAttribute : StunAttribute
{
    public RawStunAttribute(ushort type, ReadOnlySpan<byte> value) : base(type) => Value = value.ToArray();

    public byte[] Value { get; }

    public override int ValueLength => Value.Length;

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        Value.CopyTo(destination);

    public bool Equals(RawStunAttribute? other) =>
        other is not null && Type == other.Type && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(Type, Value.Length);
}
