namespace Pype.Core.Replication;

/// <summary>
/// The anti-entropy steps, as pure functions of one replica's digest tree and the peer's message:
/// answer a digest by descending where children differ, answer a key list with what to fetch
/// and what to send, and pack items into messages that fit a datagram.
/// </summary>
internal static class Reconciler
{
    /// <summary>
    /// Below this many items a key list (24 bytes an item) is cheaper than one more level of
    /// digest (204 bytes); above it the descent continues.
    /// </summary>
    public const int KeyListThreshold = 8;

    /// <summary>The round's opening move: the root's children.</summary>
    public static GossipMessage.Digest RootDigest(GossipStore store, DigestTree tree) =>
        new(store, 0, 0, tree.Children(0, 0));

    /// <summary>
    /// For each child whose summary differs from ours: when the peer holds nothing there, that
    /// node (every item of ours under it is to be sent); when we hold few enough for one key list,
    /// that key list; otherwise our own digest one level down, for the peer to compare in turn.
    /// </summary>
    public static (List<GossipMessage> Replies, List<(int Depth, ulong Prefix)> PeerEmpty) AnswerDigest(DigestTree tree, GossipMessage.Digest theirs)
    {
        var replies = new List<GossipMessage>();
        var peerEmpty = new List<(int, ulong)>();
        var depth = theirs.Depth + 1;
        for (var child = 0; child < DigestTree.Fanout; child++)
        {
            var prefix = DigestTree.ChildOf(theirs.Depth, theirs.Prefix, child);
            var mine = tree.Summary(depth, prefix);
            var peer = theirs.Children[child];
            if (mine == peer)
            {
                continue;
            }

            if (peer.Count == 0)
            {
                peerEmpty.Add((depth, prefix));
            }
            else if (mine.Count <= KeyListThreshold || depth == DigestTree.MaxDepth)
            {
                var entries = tree.Under(depth, prefix).Take(GossipCodec.MaxKeyListEntries).ToList();
                replies.Add(new GossipMessage.KeyList(theirs.Store, depth, prefix, entries));
            }
            else
            {
                replies.Add(new GossipMessage.Digest(theirs.Store, depth, prefix, tree.Children(depth, prefix)));
            }
        }

        return (replies, peerEmpty);
    }

    /// <summary>
    /// Compares the peer's complete key list under a node with ours: keys the peer holds in a
    /// version we lack or that beats ours are to be fetched; keys we hold that the peer lacks or
    /// holds older are to be sent. Equal versions with different fingerprints go both ways and
    /// the replicas' tie-break settles them.
    /// </summary>
    public static (List<ulong> Wanted, List<ulong> ToSend) AnswerKeyList(DigestTree tree, GossipMessage.KeyList theirs)
    {
        var mine = new Dictionary<ulong, KeyListEntry>();
        foreach (var entry in tree.Under(theirs.Depth, theirs.Prefix))
        {
            mine[entry.KeyPrefix] = entry;
        }

        var peer = new Dictionary<ulong, KeyListEntry>();
        foreach (var entry in theirs.Entries)
        {
            peer[entry.KeyPrefix] = entry;
        }

        var wanted = peer.Values.Where(entry => !mine.TryGetValue(entry.KeyPrefix, out var held) || Beats(entry, held)).Select(e => e.KeyPrefix);
        var toSend = mine.Values.Where(entry => !peer.TryGetValue(entry.KeyPrefix, out var held) || Beats(entry, held)).Select(e => e.KeyPrefix);
        return (wanted.ToList(), toSend.ToList());
    }

    public static IEnumerable<GossipMessage.GetItems> PackRequests(GossipStore store, IReadOnlyList<ulong> keyPrefixes) =>
        keyPrefixes.Chunk(GossipCodec.MaxKeyPrefixes).Select(chunk => new GossipMessage.GetItems(store, chunk));

    /// <summary>Packs items into as few records messages as fit <see cref="GossipCodec.MaxMessageLength"/>.</summary>
    public static IEnumerable<GossipMessage.Records> PackRecords(GossipStore store, bool push, IEnumerable<ReadOnlyMemory<byte>> items)
    {
        var batch = new List<ReadOnlyMemory<byte>>();
        var length = GossipCodec.RecordsHeaderLength;
        foreach (var item in items)
        {
            if (batch.Count > 0 && (length + 2 + item.Length > GossipCodec.MaxMessageLength || batch.Count == byte.MaxValue))
            {
                yield return new GossipMessage.Records(store, push, batch);
                batch = [];
                length = GossipCodec.RecordsHeaderLength;
            }

            batch.Add(item);
            length += 2 + item.Length;
        }

        if (batch.Count > 0)
        {
            yield return new GossipMessage.Records(store, push, batch);
        }
    }

    private static bool Beats(KeyListEntry candidate, KeyListEntry held) =>
        candidate.Version > held.Version || (candidate.Version == held.Version && candidate.Fingerprint != held.Fingerprint);
}
