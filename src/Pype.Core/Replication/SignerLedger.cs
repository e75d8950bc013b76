using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>
/// How much a replica cares to keep an item. A full replica makes room for a new item only by
/// evicting one of a lower standing (or, within one standing, the heaviest signer's), so items
/// signed by strangers always go before items signed by contacts or by the node itself.
/// </summary>
public enum ItemStanding
{
    /// <summary>Signed by a stranger and not about this node.</summary>
    Stranger = 0,
    /// <summary>Signed by a stranger but about this node: a stranger calling it, or ending a call with it.</summary>
    StrangerAboutUs = 1,
    /// <summary>Signed by one of the node's contacts.</summary>
    Contact = 2,
    /// <summary>Signed by the node itself (its own record, its own calls), or by a contact about this node.</summary>
    Own = 3,
}

/// <summary>
/// Who holds what in a replica: per signer, the keys it signed and their standing, and per standing
/// the signers ordered by how many items they hold there. It only ever has rows for items the
/// replica holds, so it is bounded by the replica's capacity whatever keys an attacker makes up.
/// </summary>
internal sealed class SignerLedger
{
    private const int Standings = 4;

    private static readonly IComparer<(int Count, HashAddress Signer)> HeaviestFirst = Comparer<(int Count, HashAddress Signer)>.Create(
        (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Signer.CompareTo(b.Signer));

    private readonly Dictionary<HashAddress, Holdings> _holdings = [];
    private readonly SortedSet<(int Count, HashAddress Signer)>[] _bySize;
    private readonly int[] _perStanding = new int[Standings];

    public SignerLedger()
    {
        _bySize = new SortedSet<(int, HashAddress)>[Standings];
        for (var standing = 0; standing < Standings; standing++)
        {
            _bySize[standing] = new SortedSet<(int, HashAddress)>(HeaviestFirst);
        }
    }

    /// <summary>Signers with at least one item held.</summary>
    public int Signers => _holdings.Count;

    /// <summary>How many items <paramref name="signer"/> has in the replica, whatever their standing.</summary>
    public int HeldBy(HashAddress signer) => _holdings.TryGetValue(signer, out var holdings) ? holdings.Items.Count : 0;

    public int InStanding(ItemStanding standing) => _perStanding[(int)standing];

    public IReadOnlyList<HashAddress> KeysOf(HashAddress signer) =>
        _holdings.TryGetValue(signer, out var holdings) ? holdings.Items.Select(item => item.Key).ToList() : [];

    public void Add(HashAddress signer, HashAddress key, DateTimeOffset expiry, ItemStanding standing)
    {
        if (!_holdings.TryGetValue(signer, out var holdings))
        {
            holdings = new Holdings();
            _holdings.Add(signer, holdings);
        }

        holdings.Items.Add((key, expiry, standing));
        Recount(signer, holdings, standing, +1);
    }

    public void Remove(HashAddress signer, HashAddress key)
    {
        if (!_holdings.TryGetValue(signer, out var holdings))
        {
            return;
        }

        var index = holdings.Items.FindIndex(item => item.Key == key);
        if (index < 0)
        {
            return;
        }

        var standing = holdings.Items[index].Standing;
        holdings.Items.RemoveAt(index);
        Recount(signer, holdings, standing, -1);
        if (holdings.Items.Count == 0)
        {
            _holdings.Remove(signer);
        }
    }

    public void Clear()
    {
        _holdings.Clear();
        Array.Clear(_perStanding);
        foreach (var set in _bySize)
        {
            set.Clear();
        }
    }

    /// <summary>
    /// The key a full replica gives up for a new item of <paramref name="standing"/> signed by
    /// <paramref name="signer"/>, or null when it keeps everything: from the lowest standing below the
    /// new item's that holds anything, the oldest item of the signer holding most there; failing
    /// that, within the new item's own standing, the oldest item of the heaviest signer, but only
    /// when it holds at least two more there than the newcomer, so shares even out and never swing back.
    /// </summary>
    public HashAddress? Victim(HashAddress signer, ItemStanding standing)
    {
        for (var lower = 0; lower < (int)standing; lower++)
        {
            if (_perStanding[lower] > 0)
            {
                return OldestOf(_bySize[lower].Min.Signer, (ItemStanding)lower);
            }
        }

        var same = _bySize[(int)standing];
        if (same.Count == 0)
        {
            return null;
        }

        var (most, heaviest) = same.Min;
        var newcomerHolds = _holdings.TryGetValue(signer, out var holdings) ? holdings.ByStanding[(int)standing] : 0;
        return heaviest != signer && most > newcomerHolds + 1 ? OldestOf(heaviest, standing) : null;
    }

    /// <summary>The signer's item of that standing expiring first (the smaller key on a tie), so every replica picks the same one.</summary>
    private HashAddress OldestOf(HashAddress signer, ItemStanding standing)
    {
        var oldest = _holdings[signer].Items
            .Where(item => item.Standing == standing)
            .MinBy(item => (item.Expiry, item.Key));
        return oldest.Key;
    }

    private void Recount(HashAddress signer, Holdings holdings, ItemStanding standing, int change)
    {
        var index = (int)standing;
        var before = holdings.ByStanding[index];
        if (before > 0)
        {
            _bySize[index].Remove((before, signer));
        }

        holdings.ByStanding[index] = before + change;
        _perStanding[index] += change;
        if (before + change > 0)
        {
            _bySize[index].Add((before + change, signer));
        }
    }

    private sealed class Holdings
    {
        public List<(HashAddress Key, DateTimeOffset Expiry, ItemStanding Standing)> Items { get; } = [];

        public int[] ByStanding { get; } = new int[Standings];
    }
}
