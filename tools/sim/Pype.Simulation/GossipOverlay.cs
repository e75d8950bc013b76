using System.Net;
using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Simulation;

/// <summary>
/// Gossip engines (the real <see cref="GossipEngine"/> core), one per public host of a
/// <see cref="VirtualNetwork"/> whose paths lose a given share of datagrams and delay each by
/// 10–60 ms. Each engine is woken at its deadlines. The same seed gives the same run.
/// </summary>
public sealed class GossipOverlay
{
    private readonly Dictionary<HashAddress, GossipHost> _byHash = [];
    private readonly Dictionary<IPEndPoint, HashAddress> _hashOf = [];
    private readonly List<GossipHost> _hosts = [];

    /// <param name="identityOf">The key pair of node i (deterministic, so a seed replays a run).</param>
    public GossipOverlay(int nodeCount, int seed, DateTimeOffset start, Func<int, IdentityKeyPair> identityOf, double loss = 0, GossipOptions? options = null)
    {
        Network = new VirtualNetwork(seed, start)
        {
            Internet = new LinkConditions { Delay = TimeSpan.FromMilliseconds(10), Jitter = TimeSpan.FromMilliseconds(50), Loss = loss },
        };
        for (var i = 0; i < nodeCount; i++)
        {
            var identity = identityOf(i);
            var host = Network.AddHost($"gossip{i}", new IPEndPoint(new IPAddress([100, (byte)(64 + (i >> 16)), (byte)(i >> 8), (byte)i]), 7000));
            var engine = new GossipEngine(identity, new SimulationRandom(seed * 7919 + i), Now, options);
            var gossipHost = new GossipHost(this, host, engine);
            _byHash.Add(identity.Hash, gossipHost);
            _hashOf.Add(host.EndPoint, identity.Hash);
            _hosts.Add(gossipHost);
            Nodes.Add(engine);
            Network.Attach(gossipHost);
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

    public VirtualNetwork Network { get; }

    public List<GossipEngine> Nodes { get; } = [];

    public DateTimeOffset Now => Network.Now;

    public long Delivered => Network.Delivered;

    public long Lost => Network.Lost;

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
            var a = Network.Random.Next(count);
            var b = Network.Random.Next(count);
            if (a != b) Connect(a, b);
        }
    }

    /// <summary>Collects what every node has to send; call after any input given from outside.</summary>
    public void Flush()
    {
        foreach (var host in _hosts) host.Flush();
    }

    /// <summary>Runs the network for a span of virtual time (idle traffic, expiry, refreshes).</summary>
    public void RunFor(TimeSpan span) => RunUntil(() => false, span);

    /// <summary>Runs until <paramref name="done"/> holds or <paramref name="limit"/> of virtual time has passed.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        Flush();
        return Network.RunUntil(done, limit);
    }

    /// <summary>What a node's transport does around its engine: hands it datagrams, sends what it queued.</summary>
    private sealed class GossipHost : ISimulatedAgent
    {
        private readonly GossipOverlay _overlay;
        private readonly SimulatedHost _host;
        private readonly GossipEngine _engine;

        public GossipHost(GossipOverlay overlay, SimulatedHost host, GossipEngine engine)
        {
            _overlay = overlay;
            _host = host;
            _engine = engine;
            host.Receive = (now, source, datagram) =>
            {
                _engine.HandleMessage(now, _overlay._hashOf[source], datagram);
                Flush();
            };
        }

        public DateTimeOffset? NextDeadline => _engine.NextDeadline;

        public void HandleTimeout(DateTimeOffset now)
        {
            _engine.HandleTimeout(now);
            Flush();
        }

        public void Flush()
        {
            while (_engine.PollEvent() is not null)
            {
            }
            while (_engine.PollSend() is { } datagram)
            {
                _overlay.LargestDatagram = Math.Max(_overlay.LargestDatagram, datagram.Bytes.Length);
                _overlay.Network.Send(_host, _overlay._byHash[datagram.Peer]._host.EndPoint, datagram.Bytes);
            }
        }
    }
}
