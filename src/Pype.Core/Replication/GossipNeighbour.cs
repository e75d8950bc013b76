using Pype.Core.Diagnostics;

namespace Pype.Core.Replication;

/// <summary>
/// What a <see cref="GossipEngine"/> keeps per overlay neighbour for as long as the link lasts
/// (a neighbour removed and added again starts afresh): the rate of items it may make us
/// validate, the bytes our answers to it may take, the answers waiting for those bytes, and the
/// leaves of the digest tree whose items it has already been sent in bulk.
/// </summary>
internal sealed class GossipNeighbour
{
    private const int LeavesPerStore = 1 << 12;

    private readonly Queue<ulong>[] _pendingKeys = [new(), new()];
    private readonly HashSet<ulong>[] _pendingKeySet = [[], []];
    private readonly ulong[][] _sentLeaves = [new ulong[LeavesPerStore / 64], new ulong[LeavesPerStore / 64]];

    public GossipNeighbour(GossipOptions options, DateTimeOffset now)
    {
        AddedAt = now;
        NewUntil = now + options.NewNeighbourAge;
        Items = new TokenBucket(options.ItemsPerSecondPerLink, options.ItemBurstPerLink, now);
        AnswerBytes = new TokenBucket(options.AnswerBytesPerSecondPerLink, Math.Max(options.AnswerByteBurstPerLink, GossipCodec.MaxMessageLength), now);
    }

    public DateTimeOffset AddedAt { get; }

    /// <summary>Until then the neighbour is new: our answers to it total at most three times what it sent us.</summary>
    public DateTimeOffset NewUntil { get; }

    /// <summary>Items it may make us validate (inbound).</summary>
    public TokenBucket Items { get; }

    /// <summary>Bytes our answers to it may take (outbound).</summary>
    public TokenBucket AnswerBytes { get; }

    /// <summary>Every gossip byte it sent us on this link.</summary>
    public long BytesReceived { get; set; }

    /// <summary>Every answer byte we sent it while it was new.</summary>
    public long BytesAnsweredWhileNew { get; set; }

    /// <summary>Encoded answers (digests, key lists, requests) waiting for bytes, in order.</summary>
    public Queue<byte[]> PendingMessages { get; } = new();

    public int PendingKeyCount => _pendingKeySet[0].Count + _pendingKeySet[1].Count;

    public bool HasBacklog => PendingMessages.Count > 0 || PendingKeyCount > 0;

    public bool IsNew(DateTimeOffset now) => now < NewUntil;

    /// <summary>What a new neighbour's answers may still take: three times what it sent, less what it was answered.</summary>
    public long NewNeighbourAllowance => GossipOptions.NewNeighbourAnswerFactor * BytesReceived - BytesAnsweredWhileNew;

    public Queue<ulong> PendingKeys(GossipStore store) => _pendingKeys[(int)store - 1];

    /// <summary>Queues an item key unless it waits already; false when it was there.</summary>
    public bool TryQueueKey(GossipStore store, ulong keyPrefix)
    {
        if (!_pendingKeySet[(int)store - 1].Add(keyPrefix))
            return false;
        _pendingKeys[(int)store - 1].Enqueue(keyPrefix);
        return true;
    }

    public ulong DequeueKey(GossipStore store)
    {
        var key = _pendingKeys[(int)store - 1].Dequeue();
        _pendingKeySet[(int)store - 1].Remove(key);
        return key;
    }

    /// <summary>The depth-3 node (one of 4,096) an item key falls in.</summary>
    public static int LeafOf(ulong keyPrefix) => (int)(keyPrefix >> 52);

    public bool LeafSent(GossipStore store, int leaf) => (_sentLeaves[(int)store - 1][leaf >> 6] & (1ul << (leaf & 63))) != 0;

    public void MarkLeafSent(GossipStore store, int leaf) => _sentLeaves[(int)store - 1][leaf >> 6] |= 1ul << (leaf & 63);
}
