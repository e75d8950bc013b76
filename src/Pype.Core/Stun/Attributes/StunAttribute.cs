namespace Pype.Core.Stun.Attributes;

/// <summary>
/// One type-length-value attribute. A subclass knows its own value encoding; the parser finds the
/// decoder through <see cref="StunAttributeDecoders"/>, so a new attribute is one record and one
/// registry line.
/// </summary>
public abstract record StunAttribute(ushort Type)
{
    public bool IsComprehensionRequired => Type < StunWire.FirstComprehensionOptionalType;

    /// <summary>Length of the value before padding, as written into the attribute header.</summary>
    public abstract int ValueLength { get; }

    /// <summary>The transaction id is passed because XOR-coded values depend on it.</summary>
    public abstract void WriteValue(Span<byte> destination, StunTransactionId transactionId);
}
