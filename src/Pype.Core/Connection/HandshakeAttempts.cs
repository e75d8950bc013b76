using System.Buffers.Binary;
using Pype.Core.Noise;

namespace Pype.Core.Connection;

/// <summary>
/// The link's handshakes in flight, by local index. Every probe round and rekey attempt has its own
/// initiator (the responder refuses a repeated timestamp), and older ones stay open because their
/// responses may still be on the way when the path is slower than the probe interval.
/// </summary>
internal sealed class HandshakeAttempts(NoiseKeyPair localStatic, byte[] remoteStatic, IRandomSource random, HandshakeClock clock)
{
    private readonly Dictionary<uint, NoiseInitiator> _byIndex = [];
    private readonly Queue<uint> _order = new();
    private readonly CookieJar _cookies = new(remoteStatic);

    public int Count => _byIndex.Count;

    public bool Contains(uint localIndex) => _byIndex.ContainsKey(localIndex);

    public NoiseInitiator? Find(uint localIndex) => _byIndex.GetValueOrDefault(localIndex);

    /// <param name="isIndexTaken">Also avoids the indices of sessions the link holds.</param>
    public NoiseInitiator Begin(DateTimeOffset now, Func<uint, bool> isIndexTaken)
    {
        var initiator = new NoiseInitiator(localStatic, remoteStatic, NewIndex(isIndexTaken), now, random, clock, _cookies.Current(now));
        _byIndex[initiator.LocalIndex] = initiator;
        _order.Enqueue(initiator.LocalIndex);
        while (_byIndex.Count > PeerLinkOptions.MaxPendingInitiators)
            _byIndex.Remove(_order.Dequeue());
        return initiator;
    }

    /// <summary>
    /// The peer is under load and sent a cookie for the initiation with <paramref name="localIndex"/>:
    /// kept, every initiation from now on (the next probe round or rekey retry) carries its mac2.
    /// </summary>
    public bool TryTakeCookie(uint localIndex, ReadOnlySpan<byte> replyPacket, DateTimeOffset now) =>
        _byIndex.TryGetValue(localIndex, out var initiator) && _cookies.TryTake(replyPacket, initiator, now);

    /// <summary>The first answer wins: once one completes, the rest are forgotten.</summary>
    public void Clear()
    {
        _byIndex.Clear();
        _order.Clear();
    }

    private uint NewIndex(Func<uint, bool> isIndexTaken)
    {
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        uint index;
        do
        {
            random.Fill(bytes);
            index = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }
        while (_byIndex.ContainsKey(index) || isIndexTaken(index));
        return index;
    }
}
