using System.Net;

namespace Pype.Core.Tests.Connection.Simulation;

/// <summary>A host with one UDP socket, on the internet or on the LAN behind a NAT.</summary>
internal sealed class SimulatedHost(string name, IPEndPoint endPoint, SimulatedNat? nat)
{
    public string Name { get; } = name;

    /// <summary>The socket's own address: a LAN address behind a NAT, a public one otherwise.</summary>
    public IPEndPoint EndPoint { get; } = endPoint;

    public SimulatedNat? Nat { get; } = nat;

    /// <summary>A vanished host neither sends nor receives (crash, cable pulled).</summary>
    public bool Vanished { get; set; }

    public Action<DateTimeOffset, IPEndPoint, byte[]>? Receive { get; set; }

    public override string ToString() => $"{Name} {EndPoint}";
}

/// <summary>
/// Virtual time and datagrams in flight. One hop crosses the internet (one-way latency, seeded
/// random loss, like natlab's loss at <c>inet</c>); hosts on one LAN reach each other directly.
/// NAT filtering is decided when a packet reaches the NAT, not when it is sent.
/// </summary>
internal sealed class VirtualNetwork(int seed)
{
    public static readonly DateTimeOffset Epoch = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan LanLatency = TimeSpan.FromMilliseconds(0.5);

    private readonly Random _random = new(seed);
    private readonly List<SimulatedHost> _hosts = [];
    private readonly List<SimulatedNat> _nats = [];
    private readonly PriorityQueue<InFlight, (DateTimeOffset, long)> _inFlight = new();
    private long _sent;

    public DateTimeOffset Now { get; set; } = Epoch;

    public TimeSpan InternetLatency { get; set; } = TimeSpan.FromMilliseconds(10);

    public double LossRate { get; set; }

    public int Delivered { get; private set; }

    public int Filtered { get; private set; }

    public DateTimeOffset? NextDelivery => _inFlight.TryPeek(out _, out var key) ? key.Item1 : null;

    public SimulatedNat AddNat(NatBehaviour behaviour, string publicAddress)
    {
        var nat = new SimulatedNat(behaviour, IPAddress.Parse(publicAddress), new Random(_random.Next()));
        _nats.Add(nat);
        return nat;
    }

    public SimulatedHost AddHost(string name, string endPoint, SimulatedNat? behind = null)
    {
        var host = new SimulatedHost(name, IPEndPoint.Parse(endPoint), behind);
        _hosts.Add(host);
        return host;
    }

    public void Send(SimulatedHost from, IPEndPoint to, byte[] datagram)
    {
        if (from.Vanished)
            return;
        if (from.Nat is { } nat)
        {
            if (_hosts.Find(h => h.Nat == nat && h.EndPoint.Equals(to)) is { } neighbour)
            {
                Schedule(Now + LanLatency, from.EndPoint, to, datagram, lan: true);
                return;
            }
            if (to.Address.Equals(nat.PublicAddress) || IsPrivate(to.Address))
            {
                Filtered++; // no hairpinning; private addresses are not routed on the internet
                return;
            }
            var outside = nat.Outbound(from.EndPoint, to, Now);
            ScheduleOnInternet(outside, to, datagram);
            return;
        }
        ScheduleOnInternet(from.EndPoint, to, datagram);
    }

    /// <summary>Delivers every datagram due at or before <paramref name="now"/>, in order of arrival.</summary>
    public void DeliverDue(DateTimeOffset now)
    {
        while (_inFlight.TryPeek(out var packet, out var key) && key.Item1 <= now)
        {
            _inFlight.Dequeue();
            Arrive(key.Item1, packet);
        }
    }

    private void Arrive(DateTimeOffset at, InFlight packet)
    {
        var destination = packet.Destination;
        if (!packet.OnLan && _nats.Find(n => n.PublicAddress.Equals(destination.Address)) is { } nat)
        {
            var inside = nat.Inbound(packet.Source, destination.Port, at);
            if (inside is null)
            {
                Filtered++;
                return;
            }
            destination = inside;
        }
        var host = _hosts.Find(h => h.EndPoint.Equals(destination) && (packet.OnLan || h.Nat is null || !destination.Equals(packet.Destination)));
        if (host is null || host.Vanished)
        {
            Filtered++;
            return;
        }
        Delivered++;
        host.Receive?.Invoke(at, packet.Source, packet.Datagram);
    }

    private void ScheduleOnInternet(IPEndPoint source, IPEndPoint destination, byte[] datagram)
    {
        if (LossRate > 0 && _random.NextDouble() < LossRate)
            return;
        Schedule(Now + InternetLatency, source, destination, datagram, lan: false);
    }

    private void Schedule(DateTimeOffset at, IPEndPoint source, IPEndPoint destination, byte[] datagram, bool lan) =>
        _inFlight.Enqueue(new InFlight(source, destination, datagram, lan), (at, _sent++));

    private static bool IsPrivate(IPAddress address) => address.GetAddressBytes() is [10, ..] or [192, 168, ..] or [172, >= 16 and < 32, ..];

    private sealed record InFlight(IPEndPoint Source, IPEndPoint Destination, byte[] Datagram, bool OnLan);
}
