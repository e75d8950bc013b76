using System.Net;

namespace Pype.Simulation;

/// <summary>NAT behaviours by mapping (RFC 4787 §4.1) and filtering (§5); those of the natlab README among them.</summary>
public enum NatBehaviour
{
    /// <summary>Endpoint-independent mapping, address-and-port-dependent filtering (<c>masquerade</c>, natlab "eim").</summary>
    EndpointIndependent,
    /// <summary>A new external port per destination, address-and-port-dependent filtering (<c>masquerade random</c>, "sym").</summary>
    Symmetric,
    /// <summary>Endpoint-independent mapping and filtering: any inbound to a port used outbound is let in ("fullcone").</summary>
    FullCone,
    /// <summary>Endpoint-independent mapping; inbound only from an address (any port) the inside host has sent to.</summary>
    AddressRestrictedCone,
    /// <summary>The classic name of <see cref="EndpointIndependent"/>: inbound only from an address and port sent to.</summary>
    PortRestrictedCone = EndpointIndependent,
}

/// <summary>
/// A NAT box as a table of conntrack flows (internal, remote) → external port. A flow is forgotten
/// after <see cref="UnrepliedTimeout"/> without packets, or <see cref="AssuredTimeout"/> once both
/// directions have seen traffic (Linux's UDP defaults: 30 s, 120 s). A mapping whose flows all
/// expired is not reused: the next packet gets a new port. Unsolicited inbound is dropped; a
/// packet from inside to the public address comes back in only when <see cref="Hairpins"/>.
/// </summary>
public sealed class SimulatedNat(NatBehaviour behaviour, IPAddress publicAddress, Random random)
{
    public static readonly TimeSpan DefaultUnrepliedTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultAssuredTimeout = TimeSpan.FromSeconds(120);

    private readonly List<Flow> _flows = [];
    private int _nextPort = 20_000 + random.Next(10_000);

    public NatBehaviour Behaviour { get; } = behaviour;

    public IPAddress PublicAddress { get; } = publicAddress;

    public TimeSpan UnrepliedTimeout { get; init; } = DefaultUnrepliedTimeout;

    public TimeSpan AssuredTimeout { get; init; } = DefaultAssuredTimeout;

    /// <summary>Loops a packet sent from inside to the public address back in (RFC 4787 REQ-9).</summary>
    public bool Hairpins { get; init; }

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
        if (flow is null && LetsInNewRemote(remote, externalPort) is { } mapped)
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

    private Flow? LetsInNewRemote(IPEndPoint remote, int externalPort) => Behaviour switch
    {
        NatBehaviour.FullCone => _flows.Find(f => f.ExternalPort == externalPort),
        NatBehaviour.AddressRestrictedCone => _flows.Find(f => f.ExternalPort == externalPort && f.Remote.Address.Equals(remote.Address)),
        _ => null,
    };

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
