using System.Net;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Simulation;

/// <summary>The network's TURN server relays for the real <see cref="TurnClient"/> core, in virtual time.</summary>
public sealed class SimulatedTurnServerTests
{
    private static readonly TurnCredentials Credentials = new("1767225600:alice", "secret");

    /// <summary>What the relay actor does around its core: hands it datagrams, sends what it queued, wakes it at its deadline.</summary>
    private sealed class TurnClientAgent : ISimulatedAgent
    {
        private readonly VirtualNetwork _network;
        private readonly SimulatedHost _host;

        public TurnClientAgent(VirtualNetwork network, SimulatedHost host, TurnClient client)
        {
            (_network, _host, Client) = (network, host, client);
            host.Receive = (now, source, datagram) =>
            {
                Client.HandleDatagram(now, source, datagram);
                Flush();
            };
            network.Attach(this);
        }

        public TurnClient Client { get; }

        public List<TurnClientEvent> Events { get; } = [];

        public DateTimeOffset? NextDeadline => Client.NextDeadline;

        public void HandleTimeout(DateTimeOffset now)
        {
            Client.HandleTimeout(now);
            Flush();
        }

        public void Flush()
        {
            while (Client.PollTransmit() is { } transmit)
                _network.Send(_host, transmit.Destination, transmit.Datagram.ToArray());
            while (Client.PollEvent() is { } turnEvent)
                Events.Add(turnEvent);
        }
    }

    [Fact]
    public void A_client_behind_a_symmetric_nat_allocates_and_relays_both_ways_first_by_indication_then_by_channel()
    {
        var network = new VirtualNetwork(4) { Internet = new LinkConditions { Delay = TimeSpan.FromMilliseconds(10) } };
        var server = new SimulatedTurnServer(network, "198.51.100.1:3478", Credentials);
        var nat = network.AddNat(NatBehaviour.Symmetric, "203.0.113.2");
        var turn = new TurnClientAgent(network, network.AddHost("client", "10.2.0.2:5000", nat), new TurnClient(server.EndPoint, Credentials, new SimulationRandom(4)));
        var peer = network.AddHost("peer", "192.0.2.50:6000");
        var atPeer = new List<(IPEndPoint Source, byte[] Datagram)>();
        peer.Receive = (_, source, datagram) => atPeer.Add((source, datagram));

        turn.Client.Start(network.Now);
        turn.Flush();
        Assert.True(network.RunUntil(() => turn.Client.State == TurnClientState.Allocated, TimeSpan.FromSeconds(5)));
        var allocated = Assert.Single(turn.Events.OfType<TurnClientEvent.Allocated>());
        Assert.Equal(server.EndPoint.Address, allocated.Relayed.Address);
        Assert.Equal(nat.PublicAddress, allocated.Mapped.Address);

        Assert.True(turn.Client.Send(network.Now, peer.EndPoint, "hello"u8));
        turn.Flush();
        Assert.True(network.RunUntil(() => atPeer.Count == 1, TimeSpan.FromSeconds(2)));
        Assert.Equal(allocated.Relayed, atPeer[0].Source);
        Assert.Equal("hello"u8.ToArray(), atPeer[0].Datagram);

        network.Send(peer, allocated.Relayed, "hi"u8.ToArray());
        Assert.True(network.RunUntil(() => turn.Events.OfType<TurnClientEvent.DataReceived>().Any(), TimeSpan.FromSeconds(2)));
        var first = Assert.Single(turn.Events.OfType<TurnClientEvent.DataReceived>());
        Assert.Equal(peer.EndPoint, first.Peer);
        Assert.Equal("hi"u8.ToArray(), first.Payload.ToArray());

        Assert.True(network.RunUntil(() => turn.Events.OfType<TurnClientEvent.ChannelBound>().Any(), TimeSpan.FromSeconds(2)));
        Assert.True(turn.Client.Send(network.Now, peer.EndPoint, "again"u8));
        turn.Flush();
        network.Send(peer, allocated.Relayed, "back"u8.ToArray());
        Assert.True(network.RunUntil(() => atPeer.Count == 2 && turn.Events.OfType<TurnClientEvent.DataReceived>().Count() == 2, TimeSpan.FromSeconds(2)));
        Assert.Equal("again"u8.ToArray(), atPeer[1].Datagram);
        var second = turn.Events.OfType<TurnClientEvent.DataReceived>().Last();
        Assert.True(second.ViaChannel);
        Assert.Equal("back"u8.ToArray(), second.Payload.ToArray());
    }

    [Fact]
    public void The_relay_drops_what_an_unpermitted_address_sends_and_a_refresh_to_zero_removes_the_allocation()
    {
        var network = new VirtualNetwork(4) { Internet = new LinkConditions { Delay = TimeSpan.FromMilliseconds(10) } };
        var server = new SimulatedTurnServer(network, "198.51.100.1:3478", Credentials);
        var turn = new TurnClientAgent(network, network.AddHost("client", "203.0.113.7:5000"), new TurnClient(server.EndPoint, Credentials, new SimulationRandom(5)));
        var stranger = network.AddHost("stranger", "192.0.2.99:6000");
        turn.Client.Start(network.Now);
        turn.Flush();
        Assert.True(network.RunUntil(() => turn.Client.State == TurnClientState.Allocated, TimeSpan.FromSeconds(5)));
        var relayed = turn.Client.RelayedAddress!;

        network.Send(stranger, relayed, [1, 2, 3]);
        network.RunFor(TimeSpan.FromSeconds(1));
        Assert.Empty(turn.Events.OfType<TurnClientEvent.DataReceived>());

        turn.Client.Stop(network.Now);
        turn.Flush();
        Assert.True(network.RunUntil(() => server.Allocations == 0, TimeSpan.FromSeconds(5)));
    }

    /// <summary>As coturn's use-auth-secret: a seed's credentials from the shared secret allocate until their expiry; others do not.</summary>
    [Theory]
    [InlineData("the-secret", 60, true)]
    [InlineData("another-secret", 60, false)]
    [InlineData("the-secret", -1, false)]
    public void With_a_shared_secret_only_unexpired_credentials_minted_from_it_allocate(string mintedWith, int expiresInSeconds, bool allocates)
    {
        var network = new VirtualNetwork(6) { Internet = new LinkConditions { Delay = TimeSpan.FromMilliseconds(10) } };
        var server = new SimulatedTurnServer(network, "198.51.100.1:3478", "the-secret");
        var credentials = TurnRestCredentials.Create(mintedWith, network.Now + TimeSpan.FromSeconds(expiresInSeconds), "alice");
        var turn = new TurnClientAgent(network, network.AddHost("client", "203.0.113.7:5000"), new TurnClient(server.EndPoint, credentials, new SimulationRandom(6)));

        turn.Client.Start(network.Now);
        turn.Flush();
        network.RunUntil(() => turn.Client.State is TurnClientState.Allocated or TurnClientState.Failed, TimeSpan.FromSeconds(60));

        Assert.Equal(allocates ? TurnClientState.Allocated : TurnClientState.Failed, turn.Client.State);
        Assert.Equal(allocates ? 1 : 0, server.Allocations);
        Assert.True(server.Unauthenticated >= 1, "the first request carries no credentials and is asked for them");
    }
}
