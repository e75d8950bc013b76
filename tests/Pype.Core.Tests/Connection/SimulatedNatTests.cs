using System.Net;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>The simulated NATs behave as the natlab README says Linux ones do.</summary>
public sealed class SimulatedNatTests
{
    private static readonly IPEndPoint Inside = IPEndPoint.Parse("10.1.0.2:51820");
    private static readonly IPEndPoint Peer = IPEndPoint.Parse("203.0.113.2:4000");
    private static readonly IPEndPoint Seed = IPEndPoint.Parse("198.51.100.66:3478");
    private static readonly DateTimeOffset Now = VirtualNetwork.Epoch;

    private static SimulatedNat Nat(NatBehaviour behaviour) => new(behaviour, IPAddress.Parse("198.51.100.2"), new Random(1));

    [Fact]
    public void Eim_keeps_one_port_for_all_destinations_but_only_lets_in_those_it_sent_to()
    {
        var nat = Nat(NatBehaviour.EndpointIndependent);
        var towardsSeed = nat.Outbound(Inside, Seed, Now);

        Assert.Equal(towardsSeed, nat.Outbound(Inside, Peer, Now));
        Assert.Equal(Inside, nat.Inbound(Peer, towardsSeed.Port, Now));
        Assert.Null(nat.Inbound(IPEndPoint.Parse("203.0.113.2:4001"), towardsSeed.Port, Now));
    }

    [Fact]
    public void Symmetric_uses_a_new_port_per_destination_and_filters_by_it()
    {
        var nat = Nat(NatBehaviour.Symmetric);
        var towardsSeed = nat.Outbound(Inside, Seed, Now);
        var towardsPeer = nat.Outbound(Inside, Peer, Now);

        Assert.NotEqual(towardsSeed.Port, towardsPeer.Port);
        Assert.Null(nat.Inbound(Peer, towardsSeed.Port, Now));
        Assert.Equal(Inside, nat.Inbound(Peer, towardsPeer.Port, Now));
    }

    [Fact]
    public void Full_cone_lets_anyone_in_to_a_port_used_outbound()
    {
        var nat = Nat(NatBehaviour.FullCone);
        var towardsSeed = nat.Outbound(Inside, Seed, Now);

        Assert.Equal(Inside, nat.Inbound(Peer, towardsSeed.Port, Now));
        Assert.Null(nat.Inbound(Peer, towardsSeed.Port + 1, Now));
    }

    [Fact]
    public void A_flow_that_saw_both_directions_lives_120_seconds()
    {
        var nat = Nat(NatBehaviour.EndpointIndependent);
        var outside = nat.Outbound(Inside, Peer, Now);
        nat.Inbound(Peer, outside.Port, Now);

        Assert.Equal(Inside, nat.Inbound(Peer, outside.Port, Now + TimeSpan.FromSeconds(119)));
        Assert.Null(nat.Inbound(Peer, outside.Port, Now + TimeSpan.FromSeconds(119 + 120)));
    }

    [Fact]
    public void Two_hosts_behind_one_nat_cannot_reach_each_other_through_its_public_address()
    {
        var network = new VirtualNetwork(1);
        var nat = network.AddNat(NatBehaviour.EndpointIndependent, "198.51.100.2");
        var a = network.AddHost("a", "10.1.0.2:1000", nat);
        var b = network.AddHost("b", "10.1.0.3:1000", nat);
        var received = 0;
        b.Receive = (_, _, _) => received++;
        var bOutside = nat.Outbound(b.EndPoint, Peer, network.Now);

        network.Send(a, bOutside, [1]);
        network.Send(a, b.EndPoint, [2]);
        network.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(1, received);
    }
}
