using Pype.Core;
using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Simulation;

/// <summary>
/// Gossip engines over a simulated network in virtual time: each datagram is lost with a given
/// probability or delivered after a random latency; nodes are woken at their deadlines. The same
/// seed gives the same run.
/// </summary>
public sealed class GossipNetwork
{
    private readonly Random _random;
    private readonly double _loss;
    private readonly TimeSpan _minLatency;
    private readonly TimeSpan _maxLatency;
    private readonly Dictionary<HashAddress, int> _index = [];
    private readonly PriorityQueue<(int To, HashAddress From, byte[] Bytes), (DateTimeOffset At, long Order)> _inFlight = new();
    private long _order;

    /// <param name="identityOf">The key pair of node i (deterministic, so a seed replays a run).</param>
    public GossipNetwork(int nodeCount, int seed, DateTimeOffset start, Func<int, IdentityKeyPair> identityOf, double loss = 0, GossipOptions? options = null)
    {
        _random = new Random(seed);
        _loss = loss;
        _minLatency = TimeSpan.FromMilliseconds(10);
        _maxLatency = TimeSpan.FromMilliseconds(60);
        Now = start;
        for (var i = 0; i < nodeCount; i++)
        {
            var identity = identityOf(i);
            _index.Add(identity.Hash, i);
            Nodes.Add(new GossipEngine(identity, new SeededRandom(seed * 7919 + i), Now, options));
        }
    }

    /// <summary>A distinct key pair per number, the same in every run.</summary>
    public static IdentityKeyPair DeterministicIdentity(int number)
    {
        var seed = new byte[IdentityKeyPair.SeedLength];
        BitConverter.TryWriteBytes(seed, number);
        seed[31] = 0x51;
        return IdentityKeyPair.FromSeed(seed);
    }

    /// <summary>Runs the network for a span of virtual time (idle traffic, expiry, refreshes).</summary>
    public void RunFor(TimeSpan span) => RunUntil(() => false, span);

    private sealed class SeededRandom(int seed) : IRandomSource
    {
        private readonly Random random = new(seed);

        public void Fill(Span<byte> destination) => random.NextBytes(destination);
    }

    public List<GossipEngine> Nodes { get; } = [];

    public DateTimeOffset Now { get; private set; }

    public long Delivered { get; private set; }

    public long Lost { get; private set; }

    public long BytesSent => Nodes.Sum(node => node.BytesSent);

    public int LargestDatagram { get; private set; }

    public void Connect(int a, int b)
    {
        Nodes[a].NeighbourAdded(Now, Nodes[b].Self);
        Nodes[b].NeighbourAdded(Now, Nodes[a].Self);
    }

    /// <summary>A ring (so the overlay is connected) plus random chords until the mean degree is about <paramref name="degree"/>.</summary>
    public void ConnectRandomOverlay(int degree)
    {
        var count = Nodes.Count;
        for (var i = 0; i < count; i++) Connect(i, (i + 1) % count);
        for (var chords = 0; chords < count * (degree - 2) / 2; chords++)
        {
            var a = _random.Next(count);
            var b = _random.Next(count);
            if (a != b) Connect(a, b);
        }
    }

    /// <summary>Collects what every node has to send; call after any input given from outside.</summary>
    public void Flush()
    {
        for (var i = 0; i < Nodes.Count; i++) FlushNode(i);
    }

    /// <summary>Runs until <paramref name="done"/> holds or <paramref name="limit"/> of virtual time has passed.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        var end = Now + limit;
        Flush();
        while (!done())
        {
            var next = Nodes.Min(node => node.NextDeadline);
            if (_inFlight.TryPeek(out _, out var head) && head.At < next) next = head.At;
            if (next > end) return false;
            Now = next < Now ? Now : next;
            while (_inFlight.TryPeek(out var datagram, out var at) && at.At <= Now)
            {
                _inFlight.Dequeue();
                Delivered++;
                Nodes[datagram.To].HandleMessage(Now, datagram.From, datagram.Bytes);
                FlushNode(datagram.To);
            }

            for (var i = 0; i < Nodes.Count; i++)
            {
                if (Nodes[i].NextDeadline <= Now)
                {
                    Nodes[i].HandleTimeout(Now);
                    FlushNode(i);
                }
            }
        }

        return true;
    }

    private void FlushNode(int from)
    {
        var node = Nodes[from];
        while (node.PollEvent() is not null)
        {
        }

        while (node.PollSend() is { } datagram)
        {
            LargestDatagram = Math.Max(LargestDatagram, datagram.Bytes.Length);
            if (_random.NextDouble() < _loss)
            {
                Lost++;
                continue;
            }

            var latency = _minLatency + (_maxLatency - _minLatency) * _random.NextDouble();
            _inFlight.Enqueue((_index[datagram.Peer], node.Self, datagram.Bytes), (Now + latency, _order++));
        }
    }
}
