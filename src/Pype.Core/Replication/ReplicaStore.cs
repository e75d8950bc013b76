using System.Security.Cryptography;
using Pype.Core.Identity;

namespace Pype.Core.Replication;

/// <summary>
/// The state both replicas share: last-writer-wins per key, a digest tree kept in step, a
/// capacity, expiry and counts of what was turned away. Validation is the replica's business;
/// this type only decides which of two valid items wins.
/// </summary>
internal sealed class ReplicaStore<T>
    where T : class, IReplicatedItem
{
    private readonly Dictionary<HashAddress, T> _items;
    private readonly long[] _rejections;

    public ReplicaStore(int capacity)
    {
        Capacity = capacity;
        _items = [];
        _rejections = new long[Enum.GetValues<RejectReason>().Length];
    }

    private ReplicaStore(ReplicaStore<T> source)
    {
        Capacity = source.Capacity;
        _items = new Dictionary<HashAddress, T>(source._items);
        _rejections = (long[])source._rejections.Clone();
        foreach (var item in _items.Values)
        {
            Tree.Add(item.Key, item.Version, item.Fingerprint);
        }
    }

    public int Capacity { get; }

    public DigestTree Tree { get; } = new();

    public int Count => _items.Count;

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

    /// <summary>Why an already valid item cannot replace what is held, or null when it can.</summary>
    public RejectReason? Precedence(T item)
    {
        if (_items.TryGetValue(item.Key, out var held))
        {
            var order = Compare(item, held);
            return order == 0 ? RejectReason.Duplicate : order < 0 ? RejectReason.Stale : null;
        }

        return _items.Count >= Capacity ? RejectReason.CapacityReached : null;
    }

    /// <summary>Files an item that passed validation and <see cref="Precedence"/>.</summary>
    public OfferResult Store(T item)
    {
        if (_items.Remove(item.Key))
        {
            Tree.Remove(item.Key);
        }

        _items.Add(item.Key, item);
        Tree.Add(item.Key, item.Version, item.Fingerprint);
        return OfferResult.Accepted;
    }

    /// <summary>Drops every item whose expiry is not after <paramref name="now"/>; returns how many.</summary>
    public int Expire(DateTimeOffset now)
    {
        var expired = _items.Values.Where(item => item.Expiry <= now).Select(item => item.Key).ToList();
        foreach (var key in expired)
        {
            _items.Remove(key);
            Tree.Remove(key);
        }

        return expired.Count;
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
