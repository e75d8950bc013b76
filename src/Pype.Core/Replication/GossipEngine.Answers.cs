using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>
/// Pacing of answers (docs/protocol/replication.md §5, "Answer budget"): everything a
/// neighbour's message makes us send it waits in that neighbour's bounded backlog until its byte
/// budget allows, and while it is new until it has sent a third as much. Items are queued by key
/// and encoded only when their turn comes, so a waiting answer holds eight bytes an item and
/// goes out in the version held then.
/// </summary>
public sealed partial class GossipEngine
{
    /// <summary>Encoded answers and item keys waiting for <paramref name="peer"/>'s budget; zeros for a peer that is no neighbour.</summary>
    public (int Messages, int Items) Backlog(HashAddress peer) =>
        _neighbours.TryGetValue(peer, out var neighbour) ? (neighbour.PendingMessages.Count, neighbour.PendingKeyCount) : (0, 0);

    /// <summary>A neighbour's message: what it asks for is queued as answers, records are offered, connect2call checked.</summary>
    private void HandleNeighbourMessage(DateTimeOffset now, HashAddress from, GossipNeighbour neighbour, ReadOnlySpan<byte> bytes)
    {
        if (!GossipCodec.TryDecode(bytes, out var message))
        {
            Drop(GossipDropReason.MalformedMessage);
            return;
        }

        switch (message)
        {
            case GossipMessage.NewPeerRequest:
                Answer(neighbour, Reconciler.RootDigest(GossipStore.AddressBook, AddressBook.Digest));
                Answer(neighbour, Reconciler.RootDigest(GossipStore.CallList, CallList.Digest));
                break;
            case GossipMessage.GetItems get:
                QueueItems(neighbour, get.Store, get.KeyPrefixes);
                break;
            case GossipMessage.Digest digest:
                var tree = TreeOf(digest.Store);
                var (replies, peerEmpty) = Reconciler.AnswerDigest(tree, digest);
                replies.ForEach(reply => Answer(neighbour, reply));
                foreach (var (depth, prefix) in peerEmpty)
                    SendUnder(neighbour, digest.Store, depth, prefix, tree.Under(depth, prefix).Select(entry => entry.KeyPrefix).ToList());
                break;
            case GossipMessage.KeyList list:
                var (wanted, toGive) = Reconciler.AnswerKeyList(TreeOf(list.Store), list);
                foreach (var request in Reconciler.PackRequests(list.Store, wanted)) Answer(neighbour, request);
                SendUnder(neighbour, list.Store, list.Depth, list.Prefix, toGive);
                break;
            case GossipMessage.Records records:
                HandleRecords(now, from, neighbour.Items, records);
                break;
            case GossipMessage.Connect2Call connect:
                HandleConnect2Call(now, from, connect);
                break;
        }
    }

    private void Answer(GossipNeighbour neighbour, GossipMessage message)
    {
        if (neighbour.PendingMessages.Count >= Options.MaxPendingAnswersPerLink)
        {
            Drop(GossipDropReason.BacklogFull);
            return;
        }

        neighbour.PendingMessages.Enqueue(GossipCodec.Encode(message));
    }

    /// <summary>Queues items by key; returns the keys that now wait (or waited already), in order.</summary>
    private List<ulong> QueueItems(GossipNeighbour neighbour, GossipStore store, IReadOnlyList<ulong> keyPrefixes)
    {
        var queued = new List<ulong>(keyPrefixes.Count);
        foreach (var key in keyPrefixes)
        {
            if (neighbour.PendingKeyCount >= Options.MaxPendingItemsPerLink)
            {
                Drop(GossipDropReason.BacklogFull);
                break;
            }

            neighbour.TryQueueKey(store, key);
            queued.Add(key);
        }

        return queued;
    }

    /// <summary>
    /// Items the peer lacks under one node, because it said it holds none there or its key list
    /// left them out. Leaves (depth-3 nodes) whose items this link was sent already are not sent
    /// in bulk again: when more than a handful of items lie in them, the peer gets our digest of
    /// the node's children instead and has to descend, asking for what it lacks. So an empty key
    /// list or digest yields the whole set at most once per link.
    /// </summary>
    private void SendUnder(GossipNeighbour neighbour, GossipStore store, int depth, ulong prefix, IReadOnlyList<ulong> keys)
    {
        if (keys.Count == 0)
            return;
        var fresh = new List<ulong>(keys.Count);
        var again = new List<ulong>();
        foreach (var key in keys)
            (neighbour.LeafSent(store, GossipNeighbour.LeafOf(key)) ? again : fresh).Add(key);
        var descend = again.Count > Reconciler.KeyListThreshold && depth < DigestTree.MaxDepth;
        if (!descend)
            fresh.AddRange(again);
        foreach (var key in QueueItems(neighbour, store, fresh))
            neighbour.MarkLeafSent(store, GossipNeighbour.LeafOf(key));
        if (descend)
            Answer(neighbour, new GossipMessage.Digest(store, depth, prefix, TreeOf(store).Children(depth, prefix)));
    }

    /// <summary>Sends what waits for one neighbour, in order, for as long as its budget allows.</summary>
    private void DrainAnswers(DateTimeOffset now, HashAddress peer, GossipNeighbour neighbour)
    {
        while (NextAnswer(neighbour) is var (bytes, store, keys))
        {
            if (!TrySpend(now, neighbour, bytes.Length))
                return;
            if (store is { } itemStore)
            {
                for (var i = 0; i < keys; i++)
                    neighbour.DequeueKey(itemStore);
            }
            else
            {
                neighbour.PendingMessages.Dequeue();
            }

            Enqueue(peer, bytes);
        }
    }

    private static bool TrySpend(DateTimeOffset now, GossipNeighbour neighbour, int length)
    {
        var isNew = neighbour.IsNew(now);
        if (isNew && neighbour.NewNeighbourAllowance < length)
            return false;
        if (!neighbour.AnswerBytes.TryTake(now, length))
            return false;
        if (isNew)
            neighbour.BytesAnsweredWhileNew += length;
        return true;
    }

    /// <summary>
    /// The next message for the neighbour without taking it: a waiting answer first (they are
    /// small and keep reconciliation moving), else one records message packed from the front of
    /// the item keys (with how many keys it uses up). Keys whose item is gone are skipped.
    /// </summary>
    private (byte[] Bytes, GossipStore? Store, int Keys)? NextAnswer(GossipNeighbour neighbour)
    {
        if (neighbour.PendingMessages.TryPeek(out var waiting))
            return (waiting, null, 0);
        foreach (var store in (ReadOnlySpan<GossipStore>)[GossipStore.AddressBook, GossipStore.CallList])
        {
            var keys = neighbour.PendingKeys(store);
            var items = new List<ReadOnlyMemory<byte>>();
            var length = GossipCodec.RecordsHeaderLength;
            var used = 0;
            foreach (var key in keys)
            {
                var held = ItemsWithKeyPrefix(store, key);
                var needed = held.Sum(item => 2 + item.Length);
                if (items.Count + held.Count > byte.MaxValue || (items.Count > 0 && length + needed > GossipCodec.MaxMessageLength))
                    break;
                foreach (var item in held.TakeWhile(item => length + 2 + item.Length <= GossipCodec.MaxMessageLength))
                {
                    items.Add(item);
                    length += 2 + item.Length;
                }

                used++;
            }

            if (items.Count > 0)
                return (GossipCodec.Encode(new GossipMessage.Records(store, false, items)), store, used);
            // Only keys whose items are gone (expired or never held): they wait for nothing.
            for (var i = 0; i < used; i++)
                neighbour.DequeueKey(store);
        }

        return null;
    }

    private List<ReadOnlyMemory<byte>> ItemsWithKeyPrefix(GossipStore store, ulong key) =>
        store == GossipStore.AddressBook
            ? AddressBook.Store.WithKeyPrefix(key).Select(record => record.Encoded).ToList()
            : CallList.Store.WithKeyPrefix(key).Select(entry => entry.Encoded).ToList();

    /// <summary>
    /// When the first waiting answer can go: once a new neighbour is no longer new (if its
    /// allowance is short), and once the byte bucket holds a full message.
    /// </summary>
    private DateTimeOffset? NextAnswerDue()
    {
        DateTimeOffset? earliest = null;
        foreach (var neighbour in _neighbours.Values)
        {
            if (!neighbour.HasBacklog)
                continue;
            var size = neighbour.PendingMessages.TryPeek(out var waiting) ? waiting.Length : GossipCodec.MaxMessageLength;
            if (neighbour.AnswerBytes.ReadyAt(size) is not { } due)
                continue;
            if (neighbour.IsNew(_now) && neighbour.NewNeighbourAllowance < size && due < neighbour.NewUntil)
                due = neighbour.NewUntil;
            if (due <= _now)
                continue; // Due already but not sent: only a message from the peer can release it.
            if (earliest is null || due < earliest)
                earliest = due;
        }

        return earliest;
    }

    private DateTimeOffset Later(DateTimeOffset now) => now > _now ? now : _now;
}
