using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Stun;
using Pype.Core.Tests.Support;
using Pype.Core.Wire;

namespace Pype.Core.Tests.Seed;

/// <summary>
/// Seeds and nodes joined by an in-memory network in virtual time: datagrams are delivered at
/// once, in order, unless a test's filter drops them, and the clock jumps to the earliest deadline.
/// Each seed also answers STUN, as its actor would.
/// </summary>
internal sealed class SeedTestNetwork
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<SeedHost> _seeds = [];
    private readonly List<NodeHost> _nodes = [];
    private int _nextIdentity = 1;

    public SeedTestNetwork(int seed = 7) => Random = new SeededRandomSource(seed);

    public SeededRandomSource Random { get; }

    public DateTimeOffset Now { get; private set; } = Start;

    /// <summary>Returns true to lose the datagram. Sees every datagram once, before delivery.</summary>
    public Func<IPEndPoint, IPEndPoint, byte[], bool> Loses { get; set; } = (_, _, _) => false;

    public long Delivered { get; private set; }

    public SeedHost AddSeed(SeedServerOptions? options = null, string? address = null)
    {
        var identity = NewIdentity();
        var endPoint = IPEndPoint.Parse(address ?? $"198.51.100.{_seeds.Count + 1}:7000");
        var host = new SeedHost(endPoint, identity, new SeedServer(identity, options ?? new SeedServerOptions(), Random));
        _seeds.Add(host);
        return host;
    }

    public NodeHost AddNode(params SeedHost[] seeds) =>
        AddNode(seeds.Select(s => new SeedEndpoint(s.EndPoint, PeerKey.Of(s.Identity))).ToArray());

    public NodeHost AddNode(IReadOnlyList<SeedEndpoint> seeds, Func<SeedClientOptions, SeedClientOptions>? adjust = null)
    {
        var identity = NewIdentity();
        var number = _nodes.Count + 1;
        var endPoint = IPEndPoint.Parse($"203.0.113.{number}:{40000 + number}");
        var options = new SeedClientOptions
        {
            Identity = identity,
            Seeds = seeds,
            HostCandidates = [new Candidate(CandidateKind.Host, IPEndPoint.Parse($"192.168.1.{number}:{40000 + number}"))],
        };
        var host = new NodeHost(endPoint, identity, new SeedClient(adjust?.Invoke(options) ?? options, Random, Now));
        _nodes.Add(host);
        return host;
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
        for (var steps = 0; ; steps++)
        {
            if (steps > 1_000_000)
                throw new Xunit.Sdk.XunitException("a deadline keeps firing without the clock moving");
            Pump();
            var next = Deadlines().Where(d => d <= until).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (next == DateTimeOffset.MaxValue)
                break;
            Now = next > Now ? next : Now;
            foreach (var seed in _seeds.Where(s => s.IsUp))
                seed.Server.HandleTimeout(Now);
            foreach (var node in _nodes.Where(n => n.IsUp))
                node.Client.HandleTimeout(Now);
        }
        Now = until > Now ? until : Now;
    }

    public void RunFor(TimeSpan duration) => RunUntil(Now + duration);

    /// <summary>Runs until the condition holds, failing the test if it does not within <paramref name="limit"/>.</summary>
    public void RunUntil(Func<bool> condition, TimeSpan limit)
    {
        var end = Now + limit;
        Pump();
        while (!condition())
        {
            if (Now >= end)
                throw new Xunit.Sdk.XunitException($"condition not met within {limit}");
            var next = Deadlines().DefaultIfEmpty(end).Min();
            RunUntil(next < end ? next : end);
        }
    }

    private IEnumerable<DateTimeOffset> Deadlines() =>
        _seeds.Where(s => s.IsUp).Select(s => s.Server.NextDeadline)
            .Concat(_nodes.Where(n => n.IsUp).Select(n => n.Client.NextDeadline))
            .OfType<DateTimeOffset>();

    /// <summary>Moves datagrams until nobody has anything left to send, and collects the events.</summary>
    public void Pump()
    {
        for (var moved = true; moved;)
        {
            moved = false;
            foreach (var seed in _seeds)
            {
                while (seed.Server.PollEvent() is { } e)
                    seed.Events.Add(e);
                while (seed.Server.PollTransmit() is { } transmit)
                {
                    moved = true;
                    Deliver(seed.EndPoint, transmit.Destination, transmit.Datagram);
                }
            }
            foreach (var node in _nodes)
            {
                while (node.Client.PollEvent() is { } e)
                    node.Events.Add(e);
                while (node.Client.PollTransmit() is { } transmit)
                {
                    moved = true;
                    if (node.IsUp)
                        Deliver(node.EndPoint, transmit.Destination, transmit.Datagram);
                }
            }
        }
    }

    public void Deliver(IPEndPoint from, IPEndPoint to, byte[] datagram)
    {
        if (Loses(from, to, datagram))
            return;
        Delivered++;
        if (_seeds.FirstOrDefault(s => s.EndPoint.Equals(to)) is { IsUp: true } seed)
        {
            if (PacketClassifier.Classify(datagram) == PacketKind.Stun)
            {
                if (StunBindingResponder.Respond(datagram, from) is { } answer)
                    Deliver(to, from, answer);
            }
            else
            {
                seed.Server.HandleDatagram(Now, from, datagram);
            }
        }
        else if (_nodes.FirstOrDefault(n => n.EndPoint.Equals(to)) is { IsUp: true } node)
        {
            node.Client.HandleDatagram(Now, from, datagram);
        }
    }
}

internal sealed class SeedHost(IPEndPoint endPoint, IdentityKeyPair identity, SeedServer server)
{
    public IPEndPoint EndPoint { get; } = endPoint;
    public IdentityKeyPair Identity { get; } = identity;
    public SeedServer Server { get; } = server;
    public PeerKey Key => PeerKey.Of(Identity);
    public bool IsUp { get; set; } = true;
    public List<SeedServerEvent> Events { get; } = [];
}

internal sealed class NodeHost(IPEndPoint endPoint, IdentityKeyPair identity, SeedClient client)
{
    public IPEndPoint EndPoint { get; } = endPoint;
    public IdentityKeyPair Identity { get; } = identity;
    public SeedClient Client { get; } = client;
    public PeerKey Key => PeerKey.Of(Identity);

    /// <summary>A node that is down neither sends nor receives nor ticks: it has gone silent.</summary>
    public bool IsUp { get; set; } = true;
    public List<SeedClientEvent> Events { get; } = [];

    public IEnumerable<T> EventsOf<T>() => Events.OfType<T>();
}
