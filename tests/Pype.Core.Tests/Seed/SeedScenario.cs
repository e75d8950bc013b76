using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Seed;

/// <summary>
/// Seeds and nodes (the real <see cref="SeedServer"/> and <see cref="SeedClient"/> cores) on the
/// one <see cref="VirtualNetwork"/> in virtual time. Datagrams arrive at once, in order, unless
/// <see cref="Loses"/> drops them; nodes sit on the internet or behind a simulated NAT.
/// </summary>
internal sealed class SeedScenario
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<SeedServerHost> _seeds = [];
    private readonly List<SeedClientHost> _nodes = [];
    private int _nextIdentity = 1;

    public SeedScenario(int seed = 7)
    {
        Network = new VirtualNetwork(seed, Start);
        Random = new SeededRandomSource(seed);
    }

    public VirtualNetwork Network { get; }

    /// <summary>The randomness every core of the scenario shares.</summary>
    public SeededRandomSource Random { get; }

    public DateTimeOffset Now => Network.Now;

    /// <summary>Returns true to lose the datagram (source socket, destination). Sees every datagram once, before delivery.</summary>
    public Func<IPEndPoint, IPEndPoint, byte[], bool> Loses
    {
        set => Network.Drops = value;
    }

    public SeedServerHost AddSeed(SeedServerOptions? options = null, string? address = null)
    {
        var identity = NewIdentity();
        var host = Network.AddHost($"seed{_seeds.Count + 1}", address ?? $"198.51.100.{_seeds.Count + 1}:7000");
        var seed = new SeedServerHost(Network, host, identity, new SeedServer(identity, options ?? new SeedServerOptions(), Random));
        _seeds.Add(seed);
        return seed;
    }

    public SeedClientHost AddNode(params SeedServerHost[] seeds) =>
        AddNode(seeds.Select(s => new SeedEndpoint(s.EndPoint, PeerKey.Of(s.Identity))).ToArray());

    /// <summary>A node on the internet, or on the LAN of <paramref name="behind"/>.</summary>
    public SeedClientHost AddNode(IReadOnlyList<SeedEndpoint> seeds, Func<SeedClientOptions, SeedClientOptions>? adjust = null, SimulatedNat? behind = null)
    {
        var identity = NewIdentity();
        var number = _nodes.Count + 1;
        var port = 40000 + number;
        var endPoint = behind is null
            ? IPEndPoint.Parse($"203.0.113.{number}:{port}")
            : new IPEndPoint(new IPAddress([10, (byte)(number >> 8), (byte)number, 2]), port);
        var hostCandidate = behind is null ? IPEndPoint.Parse($"192.168.1.{number}:{port}") : endPoint;
        var options = new SeedClientOptions
        {
            Identity = identity,
            Seeds = seeds,
            HostCandidates = [new Candidate(CandidateKind.Host, hostCandidate)],
        };
        var host = Network.AddHost($"node{number}", endPoint, behind);
        var node = new SeedClientHost(Network, host, identity, new SeedClient(adjust?.Invoke(options) ?? options, Random, Now));
        _nodes.Add(node);
        return node;
    }

    public IdentityKeyPair NewIdentity()
    {
        var seed = new byte[IdentityKeyPair.SeedLength];
        seed[0] = (byte)_nextIdentity;
        seed[1] = (byte)(_nextIdentity++ >> 8);
        return IdentityKeyPair.FromSeed(seed);
    }

    /// <summary>Runs until the clock reaches <paramref name="until"/>, delivering everything and firing every deadline on the way.</summary>
    public void RunUntil(DateTimeOffset until)
    {
        Pump();
        Network.RunUntil(until);
    }

    public void RunFor(TimeSpan duration) => RunUntil(Now + duration);

    /// <summary>Runs until the condition holds, failing the test if it does not within <paramref name="limit"/>.</summary>
    public void RunUntil(Func<bool> condition, TimeSpan limit)
    {
        Pump();
        if (!Network.RunUntil(condition, limit))
            throw new Xunit.Sdk.XunitException($"condition not met within {limit}");
    }

    /// <summary>Moves datagrams until nobody has anything left to send, and collects the events; the clock stays.</summary>
    public void Pump()
    {
        for (var moved = true; moved;)
        {
            moved = false;
            foreach (var seed in _seeds)
                moved |= seed.Flush();
            foreach (var node in _nodes)
                moved |= node.Flush();
            Network.RunDue();
        }
    }
}
