using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Stun;
using Pype.Core.Wire;

namespace Pype.Simulation;

/// <summary>
/// A seed on a host of the <see cref="VirtualNetwork"/>: what its actor does around the real
/// <see cref="SeedServer"/> core (answers STUN Binding requests itself, hands every other
/// datagram to the core, sends what the core queues), woken at the core's deadlines.
/// </summary>
public sealed class SeedServerHost : ISimulatedAgent
{
    private readonly VirtualNetwork _network;

    public SeedServerHost(VirtualNetwork network, SimulatedHost host, IdentityKeyPair identity, SeedServer server)
    {
        _network = network;
        Host = host;
        Identity = identity;
        Server = server;
        host.Receive = OnDatagram;
        network.Attach(this);
    }

    public SimulatedHost Host { get; }

    public IPEndPoint EndPoint => Host.EndPoint;

    public IdentityKeyPair Identity { get; }

    public SeedServer Server { get; }

    public PeerKey Key => PeerKey.Of(Identity);

    /// <summary>A seed that is down neither sends nor receives nor ticks.</summary>
    public bool IsUp
    {
        get => !Host.Vanished;
        set => Host.Vanished = !value;
    }

    public List<SeedServerEvent> Events { get; } = [];

    /// <summary>Hears each event as it is collected (the seed cluster, as the server actor tells its cluster actor).</summary>
    public Action<SeedServerEvent>? EventRaised { get; set; }

    public DateTimeOffset? NextDeadline => IsUp ? Server.NextDeadline : null;

    public void HandleTimeout(DateTimeOffset now)
    {
        Server.HandleTimeout(now);
        Flush();
    }

    /// <summary>Collects the core's events and sends what it queued; true when it had something to send.</summary>
    public bool Flush()
    {
        while (Server.PollEvent() is { } e)
        {
            Events.Add(e);
            EventRaised?.Invoke(e);
        }
        var sent = false;
        while (Server.PollTransmit() is { } transmit)
        {
            sent = true;
            _network.Send(Host, transmit.Destination, transmit.Datagram);
        }
        return sent;
    }

    private void OnDatagram(DateTimeOffset now, IPEndPoint source, byte[] datagram)
    {
        if (PacketClassifier.Classify(datagram) == PacketKind.Stun)
        {
            if (StunBindingResponder.Respond(datagram, source) is { } answer)
                _network.Send(Host, source, answer);
            return;
        }
        Server.HandleDatagram(now, source, datagram);
        Flush();
    }

    public override string ToString() => $"seed {Host}";
}

/// <summary>A node's seed link on a host of the <see cref="VirtualNetwork"/>: the real <see cref="SeedClient"/> core and what its actor does around it.</summary>
public sealed class SeedClientHost : ISimulatedAgent
{
    private readonly VirtualNetwork _network;

    public SeedClientHost(VirtualNetwork network, SimulatedHost host, IdentityKeyPair identity, SeedClient client)
    {
        _network = network;
        Host = host;
        Identity = identity;
        Client = client;
        host.Receive = (now, source, datagram) =>
        {
            Client.HandleDatagram(now, source, datagram);
            Flush();
        };
        network.Attach(this);
    }

    public SimulatedHost Host { get; }

    /// <summary>The socket's address (a LAN address when behind a NAT).</summary>
    public IPEndPoint EndPoint => Host.EndPoint;

    public IdentityKeyPair Identity { get; }

    public SeedClient Client { get; }

    public PeerKey Key => PeerKey.Of(Identity);

    /// <summary>A node that is down neither sends nor receives nor ticks: it has gone silent.</summary>
    public bool IsUp
    {
        get => !Host.Vanished;
        set => Host.Vanished = !value;
    }

    public List<SeedClientEvent> Events { get; } = [];

    public IEnumerable<T> EventsOf<T>() => Events.OfType<T>();

    public DateTimeOffset? NextDeadline => IsUp ? Client.NextDeadline : null;

    public void HandleTimeout(DateTimeOffset now)
    {
        Client.HandleTimeout(now);
        Flush();
    }

    /// <summary>Collects the core's events and sends what it queued; true when it had something to send.</summary>
    public bool Flush()
    {
        while (Client.PollEvent() is { } e)
            Events.Add(e);
        var sent = false;
        while (Client.PollTransmit() is { } transmit)
        {
            sent = true;
            _network.Send(Host, transmit.Destination, transmit.Datagram);
        }
        return sent;
    }

    public override string ToString() => $"node {Host}";
}
