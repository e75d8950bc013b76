using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>One node of the digest tree: the XOR of the fingerprints under it and how many there are.</summary>
public readonly record struct DigestSummary(ulong Fingerprint, uint Count);

/// <summary>What a key list says of one item: its 64-bit key prefix, version and fingerprint.</summary>
public readonly record struct KeyListEntry(ulong KeyPrefix, ulong Version, ulong Fingerprint);

/// <summary>
/// A hash tree over the first 64 bits of the keys, sixteen children per node (one hex digit per
/// level, depth 0 to 16). Each node summarises its items as the XOR of their fingerprints and a
/// count, so two replicas compare the whole set in one message and descend only where they differ.
/// </summary>
/// <remarks>
/// The 4,096 nodes at depth 3 are kept up to date on every change; shallower nodes are folded
/// from them on demand and deeper ones from the items of one depth-3 leaf.
/// </remarks>
public sealed class DigestTree
{
    public const int Fanout = 16;
    public const int MaxDepth = 16;
    private const int LeafDepth = 3;
    private const int LeafCount = 1 << (4 * LeafDepth);

    private readonly ulong[] _fingerprints = new ulong[LeafCount];
    private readonly uint[] _counts = new uint[LeafCount];
    private readonly Dictionary<HashAddress, KeyListEntry>?[] _leaves = new Dictionary<HashAddress, KeyListEntry>?[LeafCount];

    public int Count { get; private set; }

    public static ulong PrefixOf(HashAddress key)
    {
        Span<byte> bytes = stackalloc byte[HashAddress.Length];
        key.CopyTo(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    /// <summary>The bits a node at <paramref name="depth"/> fixes.</summary>
    public static ulong MaskOf(int depth) => depth == 0 ? 0 : ulong.MaxValue << (64 - 4 * depth);

    /// <summary>True when <paramref name="prefix"/> has no bits below its depth, as the wire demands.</summary>
    public static bool IsValidNode(int depth, ulong prefix) => depth is >= 0 and <= MaxDepth && (prefix & ~MaskOf(depth)) == 0;

    public static ulong ChildOf(int depth, ulong prefix, int child) => prefix | ((ulong)child << (60 - 4 * depth));

    public void Add(HashAddress key, ulong version, ulong fingerprint)
    {
        var prefix = PrefixOf(key);
        var leaf = LeafOf(prefix);
        var items = _leaves[leaf] ??= [];
        items.Add(key, new KeyListEntry(prefix, version, fingerprint));
        _fingerprints[leaf] ^= fingerprint;
        _counts[leaf]++;
        Count++;
    }

    public void Remove(HashAddress key)
    {
        var prefix = PrefixOf(key);
        var leaf = LeafOf(prefix);
        if (_leaves[leaf] is { } items && items.Remove(key, out var entry))
        {
            _fingerprints[leaf] ^= entry.Fingerprint;
            _counts[leaf]--;
            Count--;
        }
    }

    public DigestSummary Summary(int depth, ulong prefix)
    {
        if (depth <= LeafDepth)
        {
            var (first, span) = LeafRange(depth, prefix);
            var fingerprint = 0ul;
            var count = 0u;
            for (var leaf = first; leaf < first + span; leaf++)
            {
                fingerprint ^= _fingerprints[leaf];
                count += _counts[leaf];
            }

            return new DigestSummary(fingerprint, count);
        }

        var summary = new DigestSummary(0, 0);
        foreach (var entry in Under(depth, prefix))
        {
            summary = new DigestSummary(summary.Fingerprint ^ entry.Fingerprint, summary.Count + 1);
        }

        return summary;
    }

    public DigestSummary[] Children(int depth, ulong prefix)
    {
        var children = new DigestSummary[Fanout];
        for (var child = 0; child < Fanout; child++)
        {
            children[child] = Summary(depth + 1, ChildOf(depth, prefix, child));
        }

        return children;
    }

    /// <summary>The items whose key prefix lies under the node, in no particular order.</summary>
    public IEnumerable<KeyListEntry> Under(int depth, ulong prefix)
    {
        var mask = MaskOf(depth);
        var (first, span) = depth <= LeafDepth ? LeafRange(depth, prefix) : (LeafOf(prefix), 1);
        for (var leaf = first; leaf < first + span; leaf++)
        {
            if (_leaves[leaf] is not { Count: > 0 } items)
            {
                continue;
            }

            foreach (var entry in items.Values)
            {
                if ((entry.KeyPrefix & mask) == prefix)
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>The full keys whose first 64 bits are <paramref name="keyPrefix"/>: one, bar a collision.</summary>
    public IEnumerable<HashAddress> KeysWithPrefix(ulong keyPrefix)
    {
        if (_leaves[LeafOf(keyPrefix)] is not { } items)
        {
            yield break;
        }

        foreach (var (key, entry) in items)
        {
            if (entry.KeyPrefix == keyPrefix)
            {
                yield return key;
            }
        }
    }

    private static int LeafOf(ulong prefix) => (int)(prefix >> (64 - 4 * LeafDepth));

    private static (int First, int Span) LeafRange(int depth, ulong prefix) =>
        (LeafOf(prefix), 1 << (4 * (LeafDepth - depth)));
}
