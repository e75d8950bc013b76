using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>
/// What every replicated store shows of its <see cref="ReplicaStore{T}"/>: size, digest, counters,
/// evictions, and the standing rules (our own key, the contacts) by which a full store makes room.
/// Each kind of replica adds its own validation and <c>Offer</c>.
/// </summary>
public abstract class Replica<T>
    where T : class, IReplicatedItem
{
    private protected Replica(ReplicaStore<T> store) => Store = store;

    internal ReplicaStore<T> Store { get; }

    public int Count => Store.Count;

    public DigestTree Digest => Store.Tree;

    public T? Lookup(HashAddress key) => Store.Lookup(key);

    public long RejectedCount(RejectReason reason) => Store.Rejected(reason);

    /// <summary>Items this replica evicted to make room for items of higher standing.</summary>
    public long EvictedCount => Store.Evicted;

    /// <summary>The keys evicted since the last call (the latest <see cref="ReplicaStore{T}.MaxPendingEvictions"/>), for the durable store to forget.</summary>
    public IReadOnlyList<HashAddress> TakeEvicted() => Store.TakeEvicted();

    /// <summary>The node's own key: its items are kept before any other (see <see cref="ItemStanding"/>).</summary>
    public HashAddress? Self => Store.Self;

    /// <summary>How this replica ranks <paramref name="item"/> when it must make room.</summary>
    public ItemStanding StandingOf(IReplicatedItem item) => Store.StandingOf(item);

    /// <summary>How many items <paramref name="signer"/> holds here.</summary>
    public int HeldBy(HashAddress signer) => Store.HeldBy(signer);

    public void TrustSelf(HashAddress self) => Store.TrustSelf(self);

    /// <summary>Replaces the contacts whose items are kept before strangers'.</summary>
    public void SetContacts(IEnumerable<HashAddress> contacts) => Store.SetContacts(contacts);

    public bool AddContact(HashAddress contact) => Store.AddContact(contact);

    public bool RemoveContact(HashAddress contact) => Store.RemoveContact(contact);
}
