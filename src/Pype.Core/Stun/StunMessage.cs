using Pype.Core.Stun.Attributes;

namespace Pype.Core.Stun;

/// <summary>
/// What a STUN message says: its type, transaction id and ordinary attributes. The protective
/// trailer (MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, FINGERPRINT) is not listed here: the
/// encoder computes it and <see cref="ReceivedStunMessage"/> verifies it.
/// </summary>
public sealed record StunMessage(StunMessageType Type, StunTransactionId TransactionId, IReadOnlyList<StunAttribute> Attributes)
{
    public StunMessage(StunMessageType type, StunTransactionId transactionId, params StunAttribute[] attributes)
        : this(type, transactionId, (IReadOnlyList<StunAttribute>)attributes)
    {
    }

    /// <summary>The first attribute of the given kind; RFC 8489 §14 lets later duplicates be ignored.</summary>
    public T? Get<T>() where T : StunAttribute => Attributes.OfType<T>().FirstOrDefault();

    /// <summary>Comprehension-required attributes this codec has no typed form for (RFC 8489 §6.3.1).</summary>
    public IReadOnlyList<ushort> UnknownComprehensionRequiredTypes() =>
        Attributes
            .Where(attribute => attribute.IsComprehensionRequired && !StunAttributeDecoders.IsUnderstood(attribute.Type))
            .Select(attribute => attribute.Type)
            .Distinct()
            .ToArray();

    public bool Equals(StunMessage? other) =>
        other is not null
        && Type == other.Type
        && TransactionId == other.TransactionId
        && Attributes.SequenceEqual(other.Attributes);

    public override int GetHashCode() => HashCode.Combine(Type, TransactionId, Attributes.Count);
}
