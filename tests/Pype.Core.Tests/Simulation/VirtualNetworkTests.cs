using System.Net;
using Xunit;

namespace Pype.Core.Tests.Simulation;

/// <summary>The one virtual network's paths, NATs and clock behave as their documentation says.</summary>
public sealed class VirtualNetworkTests
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    private sealed class Listener
    {
        public List<(DateTimeOffset At, IPEndPoint Source, byte[] Datagram)> Received { get; } = [];

        public static Listener On(SimulatedHost host)
        {
            var listener = new Listener();
            host.Receive = (at, source, datagram) => listener.Received.Add((at, source, datagram));
            return listener;
        }
    }

    [Fact]
    public void An_address_restricted_cone_lets_in_any_port_of_an_address_it_sent_to_and_no_other_address()
    {
        var nat = new SimulatedNat(NatBehaviour.AddressRestrictedCone, IPAddress.Parse("198.51.100.2"), new Random(1));
        var inside = IPEndPoint.Parse("10.1.0.2:5000");
        var outside = nat.Outbound(inside, IPEndPoint.Parse("203.0.113.9:4000"), VirtualNetwork.Epoch);

        Assert.Equal(inside, nat.Inbound(IPEndPoint.Parse("203.0.113.9:4999"), outside.Port, VirtualNetwork.Epoch));
        Assert.Null(nat.Inbound(IPEndPoint.Parse("203.0.113.10:4000"), outside.Port, VirtualNetwork.Epoch));
    }

    [Fact]
    public void A_hairpinning_nat_brings_a_datagram_to_its_own_public_address_back_in_from_the_senders_mapping()
    {
        var network = new VirtualNetwork(1);
        var nat = network.AddNat(NatBehaviour.FullCone, "198.51.100.2", hairpins: true);
        var a = network.AddHost("a", "10.1.0.2:1000", nat);
        var b = network.AddHost("b", "10.1.0.3:1000", nat);
        var server = network.AddHost("server", "198.51.100.66:3478");
        var atB = Listener.On(b);
        network.Send(b, server.EndPoint, [0]);
        var bOutside = new IPEndPoint(nat.PublicAddress, nat.MappedPort(b.EndPoint, network.Now)!.Value);

        network.Send(a, bOutside, [1]);
        network.RunFor(TimeSpan.FromSeconds(1));

        var (_, source, datagram) = Assert.Single(atB.Received);
        Assert.Equal([1], datagram);
        Assert.Equal(new IPEndPoint(nat.PublicAddress, nat.MappedPort(a.EndPoint, network.Now)!.Value), source);
    }

    [Fact]
    public void A_nat_forgets_an_unanswered_mapping_after_its_own_timeout()
    {
        var network = new VirtualNetwork(1);
        var nat = network.AddNat(NatBehaviour.EndpointIndependent, "198.51.100.2", unrepliedTimeout: TimeSpan.FromSeconds(5));
        var host = network.AddHost("a", "10.1.0.2:1000", nat);
        network.Send(host, IPEndPoint.Parse("203.0.113.9:4000"), [0]);

        Assert.NotNull(nat.MappedPort(host.EndPoint, network.Now + TimeSpan.FromSeconds(4.9)));
        Assert.Null(nat.MappedPort(host.EndPoint, network.Now + TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_bandwidth_cap_spaces_datagrams_by_their_serialisation_time_and_drops_what_overflows_its_queue()
    {
        var network = new VirtualNetwork(1);
        var a = network.AddHost("a", "198.51.100.10:1000");
        var b = network.AddHost("b", "203.0.113.10:1000");
        network.SetLink(a.EndPoint.Address, null, new LinkConditions { Delay = 10 * Millisecond, BitsPerSecond = 80_000, QueueBytes = 3000 });
        var atB = Listener.On(b);
        var start = network.Now;

        for (var i = 0; i < 5; i++)
            network.Send(a, b.EndPoint, new byte[1000]);
        network.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal([110 * Millisecond, 210 * Millisecond, 310 * Millisecond], atB.Received.Select(r => r.At - start));
        Assert.Equal(2, network.Trace.Count(DatagramFate.QueueFull));
    }

    [Fact]
    public void Reordering_lets_later_datagrams_overtake_held_ones_and_loses_none()
    {
        var network = new VirtualNetwork(3) { Internet = new LinkConditions { Delay = 10 * Millisecond, Reorder = 0.3, ReorderDelay = 5 * Millisecond } };
        var a = network.AddHost("a", "198.51.100.10:1000");
        var b = network.AddHost("b", "203.0.113.10:1000");
        var atB = Listener.On(b);

        for (var i = 0; i < 20; i++)
        {
            var number = (byte)i;
            network.Schedule(network.Now + i * Millisecond, () => network.Send(a, b.EndPoint, [number]));
        }
        network.RunFor(TimeSpan.FromSeconds(1));

        var order = atB.Received.Select(r => (int)r.Datagram[0]).ToList();
        Assert.Equal(Enumerable.Range(0, 20), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 20), order);
    }

    [Fact]
    public void Duplication_delivers_a_second_copy_and_a_cut_drops_one_direction_only()
    {
        var network = new VirtualNetwork(1) { Internet = new LinkConditions { Delay = Millisecond, Duplicate = 1 } };
        var a = network.AddHost("a", "198.51.100.10:1000");
        var b = network.AddHost("b", "203.0.113.10:1000");
        var (atA, atB) = (Listener.On(a), Listener.On(b));
        network.Cut(a.EndPoint.Address, b.EndPoint.Address);

        network.Send(a, b.EndPoint, [1]);
        network.Send(b, a.EndPoint, [2]);
        network.RunFor(TimeSpan.FromSeconds(1));

        Assert.Empty(atB.Received);
        Assert.Equal(2, atA.Received.Count);
        Assert.Equal(1, network.Trace.Count(DatagramFate.Cut));
    }

    [Fact]
    public void A_path_set_between_two_addresses_overrides_the_internet_in_that_direction()
    {
        var network = new VirtualNetwork(1) { Internet = new LinkConditions { Delay = 10 * Millisecond } };
        var a = network.AddHost("a", "198.51.100.10:1000");
        var b = network.AddHost("b", "203.0.113.10:1000");
        network.SetLink(a.EndPoint.Address, b.EndPoint.Address, new LinkConditions { Delay = 100 * Millisecond });
        var (atA, atB) = (Listener.On(a), Listener.On(b));
        var start = network.Now;

        network.Send(a, b.EndPoint, [1]);
        network.Send(b, a.EndPoint, [2]);
        network.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(100 * Millisecond, Assert.Single(atB.Received).At - start);
        Assert.Equal(10 * Millisecond, Assert.Single(atA.Received).At - start);
    }

    [Fact]
    public void An_agent_is_woken_at_its_deadline_after_the_datagrams_due_then()
    {
        var network = new VirtualNetwork(1) { Internet = new LinkConditions { Delay = 50 * Millisecond } };
        var a = network.AddHost("a", "198.51.100.10:1000");
        var b = network.AddHost("b", "203.0.113.10:1000");
        var log = new List<string>();
        b.Receive = (at, _, _) => log.Add($"datagram at {(at - VirtualNetwork.Epoch).TotalMilliseconds}");
        var agent = new OneShot(VirtualNetwork.Epoch + 50 * Millisecond, at => log.Add($"deadline at {(at - VirtualNetwork.Epoch).TotalMilliseconds}"));
        network.Attach(agent);

        network.Send(a, b.EndPoint, [1]);
        network.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(["datagram at 50", "deadline at 50"], log);
        Assert.Equal(VirtualNetwork.Epoch + TimeSpan.FromSeconds(1), network.Now);
    }

    private sealed class OneShot(DateTimeOffset at, Action<DateTimeOffset> fire) : ISimulatedAgent
    {
        public DateTimeOffset? NextDeadline { get; private set; } = at;

        public void HandleTimeout(DateTimeOffset now)
        {
            NextDeadline = null;
            fire(now);
        }
    }
}
