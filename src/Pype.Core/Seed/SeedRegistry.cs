namespace Pype.Core.Seed;

/// <summary>One online peer: its newest accepted presence and the session it speaks through.</summary>
internal sealed class RegisteredPeer(PeerKey key, SignedPresence presence, SeedPeerSession session)
{
    public PeerKey Key { get; } = key;
    public SignedPresence Presence { get; set; } = presence;
    public SeedPeerSession Session { get; set; } = session;

    /// <summary>How fast other peers may be introduced to this one (made on its first introduction).</summary>
    public Diagnostics.TokenBucket? IntroductionBudget { get; set; }

    /// <summary>Where this peer sits in the registry's list, so removal and random sampling are O(1).</summary>
    public int Position { get; set; }
}

/// <summary>The online peers, by key, with a dense list beside the map for uniform random samples.</summary>
internal sealed class SeedRegistry
{
    private readonly Dictionary<PeerKey, RegisteredPeer> _byKey = [];
    private readonly List<RegisteredPeer> _dense = [];

    public int Count => _dense.Count;

    public bool TryGet(PeerKey key, out RegisteredPeer peer) => _byKey.TryGetValue(key, out peer!);

    public void Add(RegisteredPeer peer)
    {
        peer.Position = _dense.Count;
        _dense.Add(peer);
        _byKey[peer.Key] = peer;
    }

    public void Remove(RegisteredPeer peer)
    {
        if (!_byKey.Remove(peer.Key))
            return;
        var last = _dense[^1];
        _dense[peer.Position] = last;
        last.Position = peer.Position;
        _dense.RemoveAt(_dense.Count - 1);
    }

    /// <summary>Up to <paramref name="count"/> distinct peers chosen uniformly at random, never <paramref name="excluded"/>.</summary>
    public List<RegisteredPeer> Sample(int count, RegisteredPeer? excluded, IRandomSource random)
    {
        var available = Count - (excluded is null ? 0 : 1);
        count = Math.Min(count, available);
        var chosen = new List<RegisteredPeer>(Math.Max(count, 0));
        if (count <= 0)
            return chosen;
        if (count * 2 >= available)
        {
            // Dense case: a partial Fisher-Yates over a copy visits each peer at most once.
            var pool = _dense.Where(p => p != excluded).ToArray();
            for (var i = 0; i < count; i++)
            {
                var j = i + RandomBelow(pool.Length - i, random);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                chosen.Add(pool[i]);
            }
            return chosen;
        }
        // Sparse case: rejection sampling touches only about count positions of a large registry.
        var taken = new HashSet<int>();
        while (chosen.Count < count)
        {
            var position = RandomBelow(_dense.Count, random);
            if (_dense[position] == excluded || !taken.Add(position))
                continue;
            chosen.Add(_dense[position]);
        }
        return chosen;
    }

    private static int RandomBelow(int bound, IRandomSource random)
    {
        Span<byte> bytes = stackalloc byte[8];
        random.Fill(bytes);
        // 64 random bits reduced modulo a bound below 2^31: the bias is under 2^-32.
        return (int)(BitConverter.ToUInt64(bytes) % (ulong)bound);
    }
}
