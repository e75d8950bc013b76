using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Pype.Actors.Relay;
using Pype.Actors.Transport;
using Pype.Bench;
using Pype.Core.Seed;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Actors.Tests.Relay;

/// <summary>
/// The relay shell between the node's real UDP transport (a loopback socket) and a real coturn on
/// loopback; the test actor is its parent, as the NodeGuardian is in a node.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RelayActorTests : TestKit
{
    private const string Secret = "relay-actor-test-secret";
    private static readonly TimeSpan Allocation = TimeSpan.FromSeconds(20);

    private static SeedRelayGrant Grant(string secret, params IPEndPoint[] servers) =>
        Grant(secret, DateTimeOffset.UtcNow.AddHours(1), servers);

    private static SeedRelayGrant Grant(string secret, DateTimeOffset expires, params IPEndPoint[] servers) =>
        new(servers, TurnRestCredentials.Create(secret, expires, "relay-actor-test"), expires);

    /// <summary>A transport on a fresh loopback socket and a relay beside it, child of the test actor.</summary>
    private (IActorRef Transport, IActorRef Relay) StartRelay()
    {
        var transport = Sys.ActorOf(UdpTransportActor.Props(UdpTransportActor.Bind(new IPEndPoint(IPAddress.Loopback, 0))));
        return (transport, ChildActorOf(RelayActor.Props(transport)));
    }

    private static Task<RelayView> View(IActorRef relay) => relay.Ask<RelayView>(GetRelayView.Instance, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_grant_allocates_on_coturn_tells_the_parent_the_relayed_address_and_carries_sends_to_a_permitted_peer()
    {
        using var coturn = LoopbackCoturn.Start(Secret);
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (transport, relay) = StartRelay();

        relay.Tell(new RelayGrantReceived(Grant(Secret, coturn.EndPoint)));
        var relayed = ExpectMsg<RelayedCandidateChanged>(Allocation).Relayed;
        Assert.NotNull(relayed);
        Assert.Equal(IPAddress.Loopback, relayed.Address);

        transport.Tell(new PermitRelayPeers([IPAddress.Loopback]));
        transport.Tell(new SendDatagram((IPEndPoint)peer.Client.LocalEndPoint!, [0xE3, 1, 2, 3], ViaRelay: true));
        var received = await peer.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([0xE3, 1, 2, 3], received.Buffer);
        Assert.Equal(relayed, received.RemoteEndPoint);

        var view = await View(relay);
        Assert.Equal((coturn.EndPoint.ToString(), "allocated", relayed, 1, 0), (view.Server, view.State, view.Relayed, view.Allocations, view.AllocationsLost));
    }

    [Fact]
    public async Task A_granted_server_that_never_answers_is_left_for_the_next_one()
    {
        using var coturn = LoopbackCoturn.Start(Secret);
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (_, relay) = StartRelay();

        relay.Tell(new RelayGrantReceived(Grant(Secret, (IPEndPoint)silent.Client.LocalEndPoint!, coturn.EndPoint)));

        // The first server's requests give up after 4 s (TurnRelay.DefaultClientOptions); the second is tried at once.
        var relayed = ExpectMsg<RelayedCandidateChanged>(Allocation + TurnRelay.DefaultClientOptions.RequestTimeout).Relayed;
        Assert.NotNull(relayed);
        var view = await View(relay);
        Assert.Equal((coturn.EndPoint.ToString(), "allocated", 1), (view.Server, view.State, view.Allocations));
    }

    [Fact]
    public async Task When_coturn_refuses_the_credentials_the_parent_is_asked_for_a_fresh_grant_and_the_next_grant_allocates()
    {
        using var coturn = LoopbackCoturn.Start(Secret);
        var (_, relay) = StartRelay();

        // Both grants carry one username (a REST username is its expiry in seconds): coturn binds
        // our address to the refused username for a minute, and a new one would be answered 437
        // until then (TurnRelayTests covers that wait). The CI run that crossed a second between
        // the grants waited 20 s in vain.
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        relay.Tell(new RelayGrantReceived(Grant("not-coturns-secret", expires, coturn.EndPoint)));
        ExpectMsg<RelayGrantWanted>(Allocation);
        Assert.Equal("failed", (await View(relay)).State);

        relay.Tell(new RelayGrantReceived(Grant(Secret, expires, coturn.EndPoint)));
        Assert.NotNull(ExpectMsg<RelayedCandidateChanged>(Allocation).Relayed);
        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }
}
