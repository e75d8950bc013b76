using System.Net;

namespace Pype.Simulation;

/// <summary>
/// The one virtual network every simulated scenario runs on: hosts, NATs, the paths between
/// them, a virtual clock with a queue of events, and agents woken at their deadlines. Every
/// random choice (loss, jitter, NAT ports, whatever a scenario draws from <see cref="Random"/>)
/// comes from the one seed, so a seed replays a run exactly and <see cref="Trace"/> proves it.
/// The internet is one hop: a datagram takes the conditions of its (source, destination)
/// addresses, seen after NAT; hosts behind one NAT reach each other over the LAN. NAT filtering
/// is decided when a datagram reaches the NAT, not when it is sent.
/// </summary>
public sealed class VirtualNetwork : IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan LanLatency = TimeSpan.FromMilliseconds(0.5);
    private const int MaxStepsWithoutAdvancing = 1_000_000;

    private readonly Dictionary<IPEndPoint, SimulatedHost> _publicHosts = [];
    private readonly Dictionary<SimulatedNat, Dictionary<IPEndPoint, SimulatedHost>> _lans = [];
    private readonly Dictionary<IPAddress, SimulatedNat> _nats = [];
    private readonly Dictionary<(IPAddress? From, IPAddress? To), SimulatedLink> _links = [];
    private readonly HashSet<(IPAddress From, IPAddress To)> _cut = [];
    private readonly List<ISimulatedAgent> _agents = [];
    private readonly SimulatedLink _internet = new(LinkConditions.Instant);

    public VirtualNetwork(int seed, DateTimeOffset? start = null, bool keepTraceLines = false)
    {
        Random = new Random(seed);
        Clock = new VirtualClock(start ?? Epoch);
        Trace = new NetworkTrace(keepTraceLines);
    }

    public VirtualClock Clock { get; }

    public DateTimeOffset Now => Clock.Now;

    /// <summary>The run's one source of randomness; scenarios draw from it too (or seed their cores from it).</summary>
    public Random Random { get; }

    public NetworkTrace Trace { get; }

    /// <summary>Conditions of every path no <see cref="SetLink"/> names.</summary>
    public LinkConditions Internet
    {
        get => _internet.Conditions;
        set => _internet.Conditions = value;
    }

    public long Delivered => Trace.Count(DatagramFate.Delivered);

    public long Lost => Trace.Count(DatagramFate.Lost) + Trace.Count(DatagramFate.QueueFull);

    public long Filtered => Trace.Count(DatagramFate.Filtered);

    /// <summary>Returns true to drop a datagram (source socket, destination) before anything else happens to it.</summary>
    public Func<IPEndPoint, IPEndPoint, byte[], bool>? Drops { get; set; }

    /// <summary>When the next datagram arrives or scheduled action runs.</summary>
    public DateTimeOffset? NextDelivery => Clock.NextAt;

    public SimulatedNat AddNat(NatBehaviour behaviour, string publicAddress, bool hairpins = false, TimeSpan? unrepliedTimeout = null, TimeSpan? assuredTimeout = null)
    {
        var nat = new SimulatedNat(behaviour, IPAddress.Parse(publicAddress), new Random(Random.Next()))
        {
            Hairpins = hairpins,
            UnrepliedTimeout = unrepliedTimeout ?? SimulatedNat.DefaultUnrepliedTimeout,
            AssuredTimeout = assuredTimeout ?? SimulatedNat.DefaultAssuredTimeout,
        };
        _nats.Add(nat.PublicAddress, nat);
        _lans.Add(nat, []);
        return nat;
    }

    public SimulatedHost AddHost(string name, string endPoint, SimulatedNat? behind = null) => AddHost(name, IPEndPoint.Parse(endPoint), behind);

    public SimulatedHost AddHost(string name, IPEndPoint endPoint, SimulatedNat? behind = null)
    {
        var host = new SimulatedHost(name, endPoint, behind);
        if (behind is null)
            _publicHosts.Add(endPoint, host);
        else
            _lans[behind].Add(endPoint, host);
        return host;
    }

    /// <summary>Wakes <paramref name="agent"/> at its deadlines; agents due at one instant are woken in the order attached.</summary>
    public void Attach(ISimulatedAgent agent) => _agents.Add(agent);

    /// <summary>Sets the conditions from one public address to another; a null address means any.</summary>
    public void SetLink(IPAddress? from, IPAddress? to, LinkConditions conditions)
    {
        if (_links.TryGetValue((from, to), out var link))
            link.Conditions = conditions;
        else
            _links.Add((from, to), new SimulatedLink(conditions));
    }

    /// <summary>Every datagram from one public address to another is dropped until <see cref="Heal"/>.</summary>
    public void Cut(IPAddress from, IPAddress to) => _cut.Add((from, to));

    public void Heal(IPAddress from, IPAddress to) => _cut.Remove((from, to));

    /// <summary>Runs <paramref name="action"/> at <paramref name="at"/> of virtual time, among the deliveries due then.</summary>
    public void Schedule(DateTimeOffset at, Action action) => Clock.Schedule(at, action);

    public void Send(SimulatedHost from, IPEndPoint to, byte[] datagram)
    {
        if (from.Vanished || Drops?.Invoke(from.EndPoint, to, datagram) == true)
        {
            Trace.Record(Now, from.Vanished ? DatagramFate.Filtered : DatagramFate.Cut, from.EndPoint, to, datagram);
            return;
        }
        if (from.Nat is not { } nat)
        {
            SendOverInternet(from.EndPoint, to, datagram);
            return;
        }
        if (_lans[nat].ContainsKey(to))
        {
            Clock.Schedule(Now + LanLatency, () => Arrive(new InFlight(from.EndPoint, to, datagram, nat)));
            return;
        }
        if (to.Address.Equals(nat.PublicAddress) && nat.Hairpins)
        {
            var looped = nat.Outbound(from.EndPoint, to, Now);
            Clock.Schedule(Now + LanLatency, () => Arrive(new InFlight(looped, to, datagram, Lan: null)));
            return;
        }
        if (to.Address.Equals(nat.PublicAddress) || IsPrivate(to.Address))
        {
            Trace.Record(Now, DatagramFate.Filtered, from.EndPoint, to, datagram);
            return;
        }
        SendOverInternet(nat.Outbound(from.EndPoint, to, Now), to, datagram);
    }

    /// <summary>Delivers everything due now (zero-delay datagrams included) without moving the clock.</summary>
    public void RunDue() => Clock.RunDue();

    public void RunFor(TimeSpan span) => RunUntil(() => false, Now + span);

    public void RunUntil(DateTimeOffset end) => RunUntil(() => false, end);

    /// <summary>Advances until <paramref name="done"/> holds (true) or <paramref name="limit"/> of virtual time has passed (false).</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit) => RunUntil(done, Now + limit);

    public bool RunUntil(Func<bool> done, DateTimeOffset end)
    {
        var stuck = 0;
        while (!done())
        {
            var next = NextEventAt();
            if (next is null || next > end)
            {
                if (end > Now)
                    Clock.AdvanceTo(end);
                return false;
            }
            stuck = next > Now ? 0 : stuck + 1;
            if (stuck > MaxStepsWithoutAdvancing)
                throw new InvalidOperationException($"the simulation does not advance past {Now:O}");
            Clock.AdvanceTo(next.Value > Now ? next.Value : Now);
            Step();
        }
        return true;
    }

    /// <summary>The earliest instant anything happens: a delivery, a scheduled action or an agent's deadline.</summary>
    public DateTimeOffset? NextEventAt()
    {
        var next = Clock.NextAt;
        foreach (var agent in _agents)
        {
            if (agent.NextDeadline is { } deadline && (next is null || deadline < next))
                next = deadline;
        }
        return next;
    }

    /// <summary>Delivers what is due now, then wakes every agent whose deadline has come.</summary>
    public void Step()
    {
        Clock.RunDue();
        for (var i = 0; i < _agents.Count; i++)
        {
            if (_agents[i].NextDeadline <= Now)
                _agents[i].HandleTimeout(Now);
        }
    }

    public void Dispose() => Trace.Dispose();

    private void SendOverInternet(IPEndPoint source, IPEndPoint destination, byte[] datagram)
    {
        if (_cut.Contains((source.Address, destination.Address)))
        {
            Trace.Record(Now, DatagramFate.Cut, source, destination, datagram);
            return;
        }
        var link = LinkBetween(source.Address, destination.Address);
        var conditions = link.Conditions;
        var copies = conditions.Duplicate > 0 && Random.NextDouble() < conditions.Duplicate ? 2 : 1;
        for (var copy = 0; copy < copies; copy++)
        {
            if (conditions.Loss > 0 && Random.NextDouble() < conditions.Loss)
            {
                Trace.Record(Now, DatagramFate.Lost, source, destination, datagram);
                continue;
            }
            if (link.Enqueue(Now, datagram.Length) is not { } departure)
            {
                Trace.Record(Now, DatagramFate.QueueFull, source, destination, datagram);
                continue;
            }
            var delay = conditions.Delay;
            if (conditions.Jitter > TimeSpan.Zero)
                delay += conditions.Jitter * Random.NextDouble();
            if (conditions.Reorder > 0 && Random.NextDouble() < conditions.Reorder)
                delay += conditions.ReorderDelay;
            var packet = new InFlight(source, destination, datagram, Lan: null);
            Clock.Schedule(departure + delay, () => Arrive(packet));
        }
    }

    private SimulatedLink LinkBetween(IPAddress from, IPAddress to) =>
        _links.TryGetValue((from, to), out var link) ? link
        : _links.TryGetValue((from, null), out link) ? link
        : _links.TryGetValue((null, to), out link) ? link
        : _internet;

    private void Arrive(InFlight packet)
    {
        SimulatedHost? host;
        if (packet.Lan is { } lan)
        {
            host = _lans[lan].GetValueOrDefault(packet.Destination);
        }
        else if (_nats.TryGetValue(packet.Destination.Address, out var nat))
        {
            var inside = nat.Inbound(packet.Source, packet.Destination.Port, Now);
            host = inside is null ? null : _lans[nat].GetValueOrDefault(inside);
        }
        else
        {
            host = _publicHosts.GetValueOrDefault(packet.Destination);
        }
        if (host is null || host.Vanished)
        {
            Trace.Record(Now, DatagramFate.Filtered, packet.Source, packet.Destination, packet.Datagram);
            return;
        }
        Trace.Record(Now, DatagramFate.Delivered, packet.Source, packet.Destination, packet.Datagram);
        host.Receive?.Invoke(Now, packet.Source, packet.Datagram);
    }

    private static bool IsPrivate(IPAddress address) => address.GetAddressBytes() is [10, ..] or [192, 168, ..] or [172, >= 16 and < 32, ..];

    /// <summary>A datagram on its way; <paramref name="Lan"/> is the NAT whose LAN carries it, null on the internet.</summary>
    private sealed record InFlight(IPEndPoint Source, IPEndPoint Destination, byte[] Datagram, SimulatedNat? Lan);
}
