using Pype.Core.Connection;
using Pype.Core.Diagnostics;

namespace Pype.Core.Node;

/// <summary>Why the receiver-index table refused a datagram or a route.</summary>
public enum ReceiverIndexDrop
{
    /// <summary>A Pype packet too short for its type, or an unknown packet type.</summary>
    Malformed,
    /// <summary>A receiver index no local handshake or session registered (or one that expired).</summary>
    UnknownIndex,
    /// <summary>A route could not be registered: the table was full even after expiring idle routes.</summary>
    TableFull,
}

/// <summary>What <see cref="ReceiverIndexTable{TOwner}.Resolve"/> found.</summary>
public enum ReceiverIndexLookup
{
    /// <summary>A handshake initiation: it names no index, the node's handshake gate takes it.</summary>
    Initiation,
    Routed,
    /// <summary>Dropped and counted.</summary>
    Dropped,
}

/// <summary>
/// The node's demux of Pype packets by receiver index: each local index is registered by the one
/// who allocated it (a link's handshake, the seed link, the seed server), never guessed from
/// traffic. Bounded, and routes no packet used for <see cref="IdleExpiry"/> are forgotten, since
/// a retired handshake's index is never released by its owner. Not thread-safe; time is passed in.
/// </summary>
public sealed class ReceiverIndexTable<TOwner>
    where TOwner : class
{
    /// <summary>Far above any node's handshakes and sessions in flight (a few per peer).</summary>
    public const int DefaultCapacity = 65_536;

    /// <summary>A session rekeys or keeps alive well within this; a route idle this long is dead.</summary>
    public static readonly TimeSpan DefaultIdleExpiry = TimeSpan.FromMinutes(5);

    private readonly Dictionary<uint, Route> _routes = [];
    private readonly int _capacity;

    public ReceiverIndexTable(int capacity = DefaultCapacity, TimeSpan? idleExpiry = null)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity));
        _capacity = capacity;
        IdleExpiry = idleExpiry ?? DefaultIdleExpiry;
    }

    public TimeSpan IdleExpiry { get; }

    public int Count => _routes.Count;

    public DropCounter<ReceiverIndexDrop> Drops { get; } = new();

    /// <summary>Routes packets naming <paramref name="index"/> to <paramref name="owner"/>; false (counted) when the table is full.</summary>
    public bool Register(DateTimeOffset now, uint index, TOwner owner)
    {
        if (!_routes.ContainsKey(index) && _routes.Count >= _capacity)
        {
            ExpireIdle(now);
            if (_routes.Count >= _capacity)
            {
                Drops.Count(ReceiverIndexDrop.TableFull);
                return false;
            }
        }
        _routes[index] = new Route(owner, now);
        return true;
    }

    /// <summary>Forgets the route if <paramref name="owner"/> still holds it (an index may have been taken by another since).</summary>
    public void Release(uint index, TOwner owner)
    {
        if (_routes.TryGetValue(index, out var route) && EqualityComparer<TOwner>.Default.Equals(route.Owner, owner))
            _routes.Remove(index);
    }

    public void Release(uint index) => _routes.Remove(index);

    public void ReleaseOwner(TOwner owner)
    {
        foreach (var (index, route) in _routes)
            if (EqualityComparer<TOwner>.Default.Equals(route.Owner, owner))
                _routes.Remove(index);
    }

    public void ExpireIdle(DateTimeOffset now)
    {
        foreach (var (index, route) in _routes)
            if (now - route.LastUsed >= IdleExpiry)
                _routes.Remove(index);
    }

    public bool IsRouted(uint index) => _routes.ContainsKey(index);

    /// <summary>The owner of an inbound Pype packet; a use keeps its route alive.</summary>
    public ReceiverIndexLookup Resolve(DateTimeOffset now, ReadOnlySpan<byte> datagram, out TOwner? owner)
    {
        owner = null;
        switch (LinkPacketRouting.Address(datagram, out var index))
        {
            case PypeAddressing.Initiation:
                return ReceiverIndexLookup.Initiation;
            case PypeAddressing.Malformed:
                Drops.Count(ReceiverIndexDrop.Malformed);
                return ReceiverIndexLookup.Dropped;
        }
        if (!_routes.TryGetValue(index, out var route))
        {
            Drops.Count(ReceiverIndexDrop.UnknownIndex);
            return ReceiverIndexLookup.Dropped;
        }
        route.LastUsed = now;
        owner = route.Owner;
        return ReceiverIndexLookup.Routed;
    }

    private sealed class Route(TOwner owner, DateTimeOffset lastUsed)
    {
        public TOwner Owner { get; } = owner;

        public DateTimeOffset LastUsed { get; set; } = lastUsed;
    }
}
