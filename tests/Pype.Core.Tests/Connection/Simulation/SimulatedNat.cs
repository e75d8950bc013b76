using System.Net;

namespace Pype.Core.Tests.Connection.Simulation;

/// <summary>The NAT behaviours of the natlab README, as Linux masquerade and nftables give them.</summary>
internal enum NatBehaviour
{
    /// <summary>Endpoint-independent mapping, address-and-port-dependent filtering (<c>masquerade</c>, "eim").</summary>
    EndpointIndependent,
    /// <summary>A new external port per destination (<c>masquerade random</c>, "sym").</summary>
    Symmetric,
    /// <summary>Endpoint-independent mapping and filtering: any inbound to a port used outbound is let in ("fullcone").</summary>
    FullCone,
}

/// <summary>
/// A NAT box as a table of conntrack flows (internal, remote) → external port. A flow is forgotten
/// after 30 s without packets, or 120 s once both directions have seen traffic (Linux's UDP
/// timeouts). A mapping whose flows all expired is not reused: the next packet gets a new port.
/// Unsolicited inbound is dropped; there is no hairpinning.
/// </summary>
internal sealed class SimulatedNat(NatBehaviour behaviour, IPAddress publicAddress, Random random)
{
    public static readonly TimeSpan UnrepliedTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan AssuredTimeout = TimeSpan.FromSeconds(120);

    private readonly List<Flow> _flows = [];
    private int _nextPort = 20_000 + random.Next(10_000);

    public NatBehaviour Behaviour { get; } = behaviour;

    public IPAddress PublicAddress { get; } = publicAddress;

    public int PortsAllocated { get; private set; }

    public IPEndPoint Outbound(IPEndPoint inside, IPEndPoint remote, DateTimeOffset now)
    {
        Expire(now);
        var flow = _flows.Find(f => f.Inside.Equals(inside) && f.Remote.Equals(remote));
        if (flow is null)
        {
            var port = Behaviour == NatBehaviour.Symmetric ? null : _flows.Find(f => f.Inside.Equals(inside))?.ExternalPort;
            flow = new Flow(inside, remote, port ?? NewPort());
            _flows.Add(flow);
        }
        flow.LastSeen = now;
        return new IPEndPoint(PublicAddress, flow.ExternalPort);
    }

    /// <summary>The inside endpoint a packet from <paramref name="remote"/> to our <paramref name="externalPort"/> reaches, or null when filtered.</summary>
    public IPEndPoint? Inbound(IPEndPoint remote, int externalPort, DateTimeOffset now)
    {
        Expire(now);
        var flow = _flows.Find(f => f.ExternalPort == externalPort && f.Remote.Equals(remote));
        if (flow is null && Behaviour == NatBehaviour.FullCone && _flows.Find(f => f.ExternalPort == externalPort) is { } mapped)
        {
            flow = new Flow(mapped.Inside, remote, externalPort);
            _flows.Add(flow);
        }
        if (flow is null)
            return null;
        flow.Replied = true;
        flow.LastSeen = now;
        return flow.Inside;
    }

    /// <summary>The external port currently mapped for this inside endpoint (any live flow), for tests.</summary>
    public int? MappedPort(IPEndPoint inside, DateTimeOffset now)
    {
        Expire(now);
        return _flows.Find(f => f.Inside.Equals(inside))?.ExternalPort;
    }

    /// <summary>Loses every flow at once (a NAT reboot or conntrack flush): the next packet out gets a new port.</summary>
    public void ForgetAll() => _flows.Clear();

    private int NewPort()
    {
        PortsAllocated++;
        _nextPort += Behaviour == NatBehaviour.Symmetric ? 1 + random.Next(97) : 1;
        return _nextPort;
    }

    private void Expire(DateTimeOffset now) =>
        _flows.RemoveAll(f => now - f.LastSeen >= (f.Replied ? AssuredTimeout : UnrepliedTimeout));

    private sealed class Flow(IPEndPoint inside, IPEndPoint remote, int externalPort)
    {
        public IPEndPoint Inside { get; } = inside;
        public IPEndPoint Remote { get; } = remote;
        public int ExternalPort { get; } = externalPort;
        public DateTimeOffset LastSeen { get; set; }
        public bool Replied { get; set; }
    }
}
