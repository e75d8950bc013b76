using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace Pype.Actors.Replication;

/// <summary>
/// Journals signed replicated items (address-book records, call-list entries) exactly as they
/// travel, so a restart re-validates every one of them through the replica's own rules. Only
/// items the gossip engine accepted reach the store. Keeps the newest item per key, snapshots
/// every N events without the expired ones (nor those the replica evicted), and trims the journal
/// behind each snapshot.
/// </summary>
public abstract class SignedItemStoreActor : ReceivePersistentActor
{
    private readonly Dictionary<string, (byte[] Encoded, DateTimeOffset Expiry)> items = [];
    private readonly int snapshotEvery;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private long lastSnapshotSequenceNr;

    protected SignedItemStoreActor(string persistenceId, int snapshotEvery)
    {
        PersistenceId = persistenceId;
        this.snapshotEvery = snapshotEvery;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not ReplicaItemsSnapshot snapshot) return;
            foreach (var encoded in snapshot.Items) Apply(encoded);
            lastSnapshotSequenceNr = offer.Metadata.SequenceNr;
        });
        Recover<ReplicaItemStored>(stored => Apply(stored.Encoded));

        Command<StoreItem>(store =>
        {
            if (Describe(store.Encoded) is null)
            {
                Sender.Tell(new ItemStored(false));
                return;
            }
            var requester = Sender;
            Persist(new ReplicaItemStored(store.Encoded), stored =>
            {
                Apply(stored.Encoded);
                requester.Tell(new ItemStored(true));
                if (LastSequenceNr - lastSnapshotSequenceNr >= this.snapshotEvery) TakeSnapshot();
            });
        });
        // Not journalled: an eviction since the last snapshot comes back on a restart, where the
        // replica's rules decide again what fits; in memory the store stays the replica's size.
        Command<ForgetItem>(forget => items.Remove(forget.Key));
        Command<GetStoredItems>(_ => Sender.Tell(new StoredItems(PersistenceId, items.Values.Select(i => i.Encoded).ToList())));
        Command<SaveSnapshotSuccess>(success =>
        {
            lastSnapshotSequenceNr = success.Metadata.SequenceNr;
            DeleteMessages(success.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => log.Warning("Saving the {0} snapshot failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => log.Warning("Trimming the {0} journal failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => log.Warning("Deleting old {0} snapshots failed: {1}", PersistenceId, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public int Count => items.Count;

    /// <summary>The item's key and expiry, or null when the bytes are not an item of this store.</summary>
    protected abstract (string Key, DateTimeOffset Expiry)? Describe(byte[] encoded);

    private void Apply(byte[] encoded)
    {
        if (Describe(encoded) is { } description) items[description.Key] = (encoded, description.Expiry);
    }

    private void TakeSnapshot()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var expired in items.Where(i => i.Value.Expiry <= now).Select(i => i.Key).ToList()) items.Remove(expired);
        SaveSnapshot(new ReplicaItemsSnapshot(items.Values.Select(i => i.Encoded).ToList()));
    }
}
