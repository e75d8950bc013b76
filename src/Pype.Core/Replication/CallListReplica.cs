using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>The limits a call-list replica enforces; the defaults are the protocol's.</summary>
public sealed record CallListLimits
{
    public static CallListLimits Default { get; } = new();

    /// <summary>A sealed invite longer than this is oversized (the longest a valid invite can be).</summary>
    public int MaxSealedInviteLength { get; init; } = CallInvite.MaxSealedLength;

    /// <summary>Longest span from created to expiry; calls ring for 60 s by default.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far ahead of our clock an entry's creation time may lie.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Entries held at most. When full, a new entry takes the place of one of lower standing (or
    /// of a signer holding at least two more of the same standing); otherwise it is turned away.
    /// </summary>
    public int Capacity { get; init; } = 10_000;

    /// <summary>
    /// Entries one key may have signed in the list at once. Calls ring 60 s and live at most 5 min,
    /// so a person placing, answering and ending calls holds a handful; 32 leaves room for a busy
    /// callee turning many callers away while one key can take at most 32 of the 10,000 places.
    /// </summary>
    public int MaxEntriesPerSigner { get; init; } = 32;
}

/// <summary>
/// One node's copy of the call list: entry key → the ringing invite or the tombstone that
/// replaced it. Same shape as <see cref="AddressBookReplica"/>: <see cref="Offer"/> never throws
/// and counts every refusal; the tombstone outranks the invite; expired entries are swept.
/// </summary>
public sealed class CallListReplica : Replica<CallListEntry>
{
    public CallListReplica()
        : this(CallListLimits.Default)
    {
    }

    public CallListReplica(CallListLimits limits)
        : base(new ReplicaStore<CallListEntry>(limits.Capacity, limits.MaxEntriesPerSigner)) => Limits = limits;

    private CallListReplica(CallListLimits limits, ReplicaStore<CallListEntry> store)
        : base(store) => Limits = limits;

    public CallListLimits Limits { get; }

    public IEnumerable<CallListEntry> Entries => Store.Items;

    /// <summary>The entries, ringing or ended, whose callee is <paramref name="callee"/>.</summary>
    public IEnumerable<CallListEntry> FindForCallee(HashAddress callee) => Store.Items.Where(entry => entry.Callee == callee);

    public CallListReplica Clone() => new(Limits, Store.Clone());

    public OfferResult Offer(DateTimeOffset now, ReadOnlySpan<byte> encoded) =>
        CallListEntryCodec.TryDecode(encoded, out var entry) ? Offer(now, entry) : Store.Reject(RejectReason.Malformed);

    /// <summary>
    /// Accepts the entry only if its invite is present exactly when it rings and is not oversized,
    /// the signer is the caller (or, for a tombstone, the caller or the callee), created and
    /// expiry are sane, it is not expired, it outranks what is held, its signer is within its quota,
    /// there is room (a full list gives up a stranger's entry for a contact's or one of ours), and
    /// the signature verifies.
    /// </summary>
    public OfferResult Offer(DateTimeOffset now, CallListEntry entry)
    {
        if (Validate(now, entry) is { } reason)
        {
            return Store.Reject(reason);
        }

        return Store.Store(entry);
    }

    public void Merge(DateTimeOffset now, CallListReplica other)
    {
        foreach (var entry in other.Entries.ToList())
        {
            Offer(now, entry);
        }
    }

    public int Expire(DateTimeOffset now) => Store.Expire(now);

    private RejectReason? Validate(DateTimeOffset now, CallListEntry entry)
    {
        if (entry.SealedInvite.Length > Limits.MaxSealedInviteLength)
            return RejectReason.Oversized;
        if (entry.IsTombstone != entry.SealedInvite.IsEmpty)
            return RejectReason.InviteMismatch;
        if (entry.Signer != entry.Caller && !(entry.IsTombstone && entry.Signer == entry.Callee))
            return RejectReason.WrongSigner;
        if (entry.Created > now + Limits.MaxClockSkew || entry.Expiry <= entry.Created || entry.Expiry - entry.Created > Limits.MaxLifetime)
            return RejectReason.BadLifetime;
        if (entry.Expiry <= now)
            return RejectReason.Expired;
        if (Store.Precedence(entry) is { } precedence)
            return precedence;
        return entry.HasValidSignature() ? null : RejectReason.BadSignature;
    }
}
