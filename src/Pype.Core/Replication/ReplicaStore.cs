using System.Security.Cryptography;
using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>
/// The state both replicas share: last-writer-wins per key, a digest tree kept in step, a
/// capacity, a quota per signer, the node's own key and its contacts (whose items a full store
/// keeps before strangers'), expiry and counts of what was turned away or evicted. Validation
/// is the replica's business; this type decides which of two valid items wins and what makes room.
/// </summary>
internal sealed class ReplicaStore<T>
    where T : class, IReplicatedItem
{
    private readonly Dictionary<HashAddress, T> _items;
    private readonly long[] _rejections;
    private readonly SignerLedger _ledger = new();
    private readonly HashSet<HashAddress> _contacts;
    private readonly Queue<HashAddress> _evictedKeys = new();
    private HashAddress? _self;

    public ReplicaStore(int capacity, int quotaPerSigner)
    {
        Capacity = capacity;
        QuotaPerSigner = quotaPerSigner;
        _items = [];
        _contacts = [];
        _rejections = new long[Enum.GetValues<RejectReason>().Length];
    }

    private ReplicaStore(ReplicaStore<T> source)
    {
        Capacity = source.Capacity;
        QuotaPerSigner = source.QuotaPerSigner;
        Evicted = source.Evicted;
        _items = new Dictionary<HashAddress, T>(source._items);
        _rejections = (long[])source._rejections.Clone();
        _contacts = [.. source._contacts];
        _self = source._self;
        foreach (var item in _items.Values)
        {
            Tree.Add(item.Key, item.Version, item.Fingerprint);
            Track(item);
        }
    }

    /// <summary>Evicted keys kept for <see cref="TakeEvicted"/> at most; a shell drains them after every input, so only an undrained store drops the oldest.</summary>
    public const int MaxPendingEvictions = 1024;

    /// <summary>Contacts a store keeps apart at most: the contact book's own limit.</summary>
    public static int MaxContacts => Pype.Core.Contacts.ContactBook.MaxContacts;

    public int Capacity { get; }

    public DigestTree Tree { get; } = new();

    public int QuotaPerSigner { get; }

    public int Count => _items.Count;

    /// <summary>Items removed to make room for an item of higher standing (or a lighter signer's).</summary>
    public long Evicted { get; private set; }

    public HashAddress? Self => _self;

    public int ContactCount => _contacts.Count;

    /// <summary>Signers the store keeps counts for: never more than the items it holds.</summary>
    public int SignersTracked => _ledger.Signers;

    public int HeldBy(HashAddress signer) => _ledger.HeldBy(signer);

    /// <summary>The keys evicted since the last call, so whoever keeps a durable copy can drop them too.</summary>
    public IReadOnlyList<HashAddress> TakeEvicted()
    {
        var keys = _evictedKeys.ToList();
        _evictedKeys.Clear();
        return keys;
    }

    public int InStanding(ItemStanding standing) => _ledger.InStanding(standing);

    public ItemStanding StandingOf(IReplicatedItem item)
    {
        var trusted = item.Signer == _self || _contacts.Contains(item.Signer);
        var aboutUs = _self is { } self && item.Concerns(self);
        return (trusted, aboutUs) switch
        {
            (true, true) => ItemStanding.Own,
            (true, false) => ItemStanding.Contact,
            (false, true) => ItemStanding.StrangerAboutUs,
            _ => ItemStanding.Stranger,
        };
    }

    /// <summary>Names the node's own key; every item's standing is worked out again.</summary>
    public void TrustSelf(HashAddress self)
    {
        if (_self == self)
        {
            return;
        }

        _self = self;
        Retrack();
    }

    /// <summary>Replaces the contact set (at most <see cref="MaxContacts"/> are taken); every item's standing is worked out again.</summary>
    public void SetContacts(IEnumerable<HashAddress> contacts)
    {
        _contacts.Clear();
        foreach (var contact in contacts.Take(MaxContacts))
        {
            _contacts.Add(contact);
        }

        Retrack();
    }

    /// <summary>False when already a contact or when <see cref="MaxContacts"/> are held.</summary>
    public bool AddContact(HashAddress contact) =>
        _contacts.Count < MaxContacts && !_contacts.Contains(contact) && RetrackSigner(contact, () => _contacts.Add(contact));

    public bool RemoveContact(HashAddress contact) =>
        _contacts.Contains(contact) && RetrackSigner(contact, () => _contacts.Remove(contact));

    public IEnumerable<T> Items => _items.Values;

    public ReplicaStore<T> Clone() => new(this);

    public T? Lookup(HashAddress key) => _items.GetValueOrDefault(key);

    public IEnumerable<T> WithKeyPrefix(ulong keyPrefix)
    {
        foreach (var key in Tree.KeysWithPrefix(keyPrefix))
        {
            yield return _items[key];
        }
    }

    public long Rejected(RejectReason reason) => _rejections[(int)reason];

    public OfferResult Reject(RejectReason reason)
    {
        _rejections[(int)reason]++;
        return OfferResult.Reject(reason);
    }

    /// <summary>
    /// Why an already valid item cannot go in, or null when it can: it must outrank what is held
    /// under its key; its signer may not hold more than <see cref="QuotaPerSigner"/> items (a
    /// replacement by the same signer always fits); and a full store must have an item to give up
    /// for it (<see cref="SignerLedger.Victim"/>).
    /// </summary>
    public RejectReason? Precedence(T item)
    {
        if (_items.TryGetValue(item.Key, out var held))
        {
            var order = Compare(item, held);
            if (order <= 0)
                return order == 0 ? RejectReason.Duplicate : RejectReason.Stale;
            return held.Signer != item.Signer && _ledger.HeldBy(item.Signer) >= QuotaPerSigner ? RejectReason.QuotaReached : null;
        }

        if (_ledger.HeldBy(item.Signer) >= QuotaPerSigner)
            return RejectReason.QuotaReached;
        return _items.Count >= Capacity && _ledger.Victim(item.Signer, StandingOf(item)) is null ? RejectReason.CapacityReached : null;
    }

    /// <summary>Files an item that passed validation and <see cref="Precedence"/>, evicting the item it displaces when the store is full.</summary>
    public OfferResult Store(T item)
    {
        if (_items.TryGetValue(item.Key, out var held))
        {
            Remove(held);
        }
        else if (_items.Count >= Capacity && _ledger.Victim(item.Signer, StandingOf(item)) is { } victim)
        {
            Remove(_items[victim]);
            Evicted++;
            _evictedKeys.Enqueue(victim);
            if (_evictedKeys.Count > MaxPendingEvictions)
                _evictedKeys.Dequeue();
        }

        _items.Add(item.Key, item);
        Tree.Add(item.Key, item.Version, item.Fingerprint);
        Track(item);
        return OfferResult.Accepted;
    }

    /// <summary>Drops every item whose expiry is not after <paramref name="now"/>; returns how many.</summary>
    public int Expire(DateTimeOffset now)
    {
        var expired = _items.Values.Where(item => item.Expiry <= now).ToList();
        foreach (var item in expired)
        {
            Remove(item);
        }

        return expired.Count;
    }

    private void Track(T item) => _ledger.Add(item.Signer, item.Key, item.Expiry, StandingOf(item));

    private void Remove(T item)
    {
        _items.Remove(item.Key);
        Tree.Remove(item.Key);
        _ledger.Remove(item.Signer, item.Key);
    }

    private void Retrack()
    {
        _ledger.Clear();
        foreach (var item in _items.Values)
        {
            Track(item);
        }
    }

    /// <summary>Only the signer's own items change standing when it becomes (or stops being) a contact.</summary>
    private bool RetrackSigner(HashAddress signer, Func<bool> change)
    {
        var keys = _ledger.KeysOf(signer);
        foreach (var key in keys)
        {
            _ledger.Remove(signer, key);
        }

        var changed = change();
        foreach (var key in keys)
        {
            Track(_items[key]);
        }

        return changed;
    }

    /// <summary>
    /// The total order merging relies on: the higher version wins, and between equal versions
    /// with different bytes the lexicographically larger encoding, so every replica picks the
    /// same one whatever order it saw them in.
    /// </summary>
    public static int Compare(IReplicatedItem a, IReplicatedItem b)
    {
        var byVersion = a.Version.CompareTo(b.Version);
        return byVersion != 0 ? byVersion : a.Encoded.Span.SequenceCompareTo(b.Encoded.Span);
    }

    public static ulong FingerprintOf(ReadOnlySpan<byte> encoded)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(encoded, digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest);
    }
}
