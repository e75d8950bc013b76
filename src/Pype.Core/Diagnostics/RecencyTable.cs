namespace Pype.Core.Diagnostics;

/// <summary>
/// A map kept in order of last use, so a bounded table finds and forgets the entry used longest
/// ago in constant time instead of sweeping (the owner decides when to forget, and bounds it).
/// </summary>
internal sealed class RecencyTable<TKey, TValue>(IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _byKey = new(comparer);
    private readonly LinkedList<(TKey Key, TValue Value)> _leastRecentFirst = new();

    public int Count => _byKey.Count;

    /// <summary>The entry used longest ago; null when empty.</summary>
    public (TKey Key, TValue Value)? LeastRecent => _leastRecentFirst.First?.Value;

    public bool TryGetValue(TKey key, out TValue value)
    {
        if (_byKey.TryGetValue(key, out var node))
        {
            value = node.Value.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> as the entry used most recently.</summary>
    public void Use(TKey key, TValue value)
    {
        if (_byKey.Remove(key, out var node))
            _leastRecentFirst.Remove(node);
        _byKey[key] = _leastRecentFirst.AddLast((key, value));
    }

    public void RemoveLeastRecent()
    {
        if (_leastRecentFirst.First is not { } oldest)
            return;
        _leastRecentFirst.RemoveFirst();
        _byKey.Remove(oldest.Value.Key);
    }
}
