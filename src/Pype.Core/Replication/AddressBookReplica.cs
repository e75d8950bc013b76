using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>The limits an address-book replica enforces; the defaults are the protocol's.</summary>
public sealed record AddressBookLimits
{
    public static AddressBookLimits Default { get; } = new();

    /// <summary>Metadata beyond this is oversized, although the wire could carry 255 bytes.</summary>
    public int MaxMetadataLength { get; init; } = 128;

    /// <summary>A record may not claim to live longer than this from now (twice the default lifetime).</summary>
    public TimeSpan MaxExpiryAhead { get; init; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Records held at most. When full, a new owner's record takes the place of a stranger's only
    /// if it ranks higher (see <see cref="ItemStanding"/>); otherwise it is turned away.
    /// </summary>
    public int Capacity { get; init; } = 100_000;
}

/// <summary>
/// One node's copy of the address book: hash address → the newest valid signed record of that
/// owner. <see cref="Offer"/> is the only way in and never throws; whatever it refuses is counted
/// by reason. Merging is offering every record of another replica: last writer (highest
/// sequence) wins per owner, ties broken by the encoding, so the result does not depend on order.
/// </summary>
public sealed class AddressBookReplica : Replica<AddressBookRecord>
{
    public AddressBookReplica()
        : this(AddressBookLimits.Default)
    {
    }

    public AddressBookReplica(AddressBookLimits limits)
        : base(new ReplicaStore<AddressBookRecord>(limits.Capacity, QuotaPerSigner)) => Limits = limits;

    private AddressBookReplica(AddressBookLimits limits, ReplicaStore<AddressBookRecord> store)
        : base(store) => Limits = limits;

    /// <summary>A record is filed under its signer's hash, so a signer holds one record: the quota is the format's.</summary>
    public const int QuotaPerSigner = 1;

    public AddressBookLimits Limits { get; }

    public IEnumerable<AddressBookRecord> Records => Store.Items;

    /// <summary>A copy with the same records and counters that changes independently.</summary>
    public AddressBookReplica Clone() => new(Limits, Store.Clone());

    /// <summary>Decodes and offers a record straight off the wire.</summary>
    public OfferResult Offer(DateTimeOffset now, ReadOnlySpan<byte> encoded) =>
        AddressBookRecordCodec.TryDecode(encoded, out var record) ? Offer(now, record) : Store.Reject(RejectReason.Malformed);

    /// <summary>
    /// Accepts the record only if it is small enough, its hash is SHA-256 of its key, its expiry is
    /// after now and at most <see cref="AddressBookLimits.MaxExpiryAhead"/> ahead, it is newer than
    /// the record held, there is room (a full book gives up a stranger's record for a contact's or
    /// our own), and its signature verifies (checked last: it costs most).
    /// </summary>
    public OfferResult Offer(DateTimeOffset now, AddressBookRecord record)
    {
        if (Validate(now, record) is { } reason)
        {
            return Store.Reject(reason);
        }

        return Store.Store(record);
    }

    /// <summary>Offers every record <paramref name="other"/> holds.</summary>
    public void Merge(DateTimeOffset now, AddressBookReplica other)
    {
        foreach (var record in other.Records.ToList())
        {
            Offer(now, record);
        }
    }

    /// <summary>Removes the records whose expiry has come; returns how many.</summary>
    public int Expire(DateTimeOffset now) => Store.Expire(now);

    private RejectReason? Validate(DateTimeOffset now, AddressBookRecord record)
    {
        if (record.Metadata.Length > Limits.MaxMetadataLength)
            return RejectReason.Oversized;
        if (HashAddress.FromPublicKey(record.PublicKey.Span) != record.Hash)
            return RejectReason.WrongHash;
        if (record.Expiry <= now)
            return RejectReason.Expired;
        if (record.Expiry > now + Limits.MaxExpiryAhead)
            return RejectReason.ExpiryTooFar;
        if (Store.Precedence(record) is { } precedence)
            return precedence;
        return record.HasValidSignature() ? null : RejectReason.BadSignature;
    }
}
