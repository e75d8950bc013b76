using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Pype.Actors.Configuration;
using Pype.Actors.Media;
using Pype.Actors.Node;
using Pype.Actors.Peers;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;
using Xunit;

namespace Pype.Actors.Tests.Peers;

/// <summary>
/// A PeerListActor with a probe for its transport and seed link, talking to a peer whose side is
/// a real <see cref="PeerLink"/> driven by the test; datagrams reach the node's actors through a
/// real <see cref="DatagramRouter"/> holding the routes the node's actors registered.
/// </summary>
public sealed class PeerListActorTests : TestKit
{
    private static readonly IPEndPoint NodeEndPoint = IPEndPoint.Parse("192.0.2.1:4000");
    private static readonly IPEndPoint PeerEndPoint = IPEndPoint.Parse("192.0.2.2:5000");
    private static readonly NodeSettings Settings = new(
        true, NodeEndPoint, [], TimeSpan.FromSeconds(15), OverlayDegree: 0, TimeSpan.FromSeconds(5),
        new ReplicationSettings(100, 100, TimeSpan.FromSeconds(30), 100), new ContactsSettings(100, TimeSpan.FromMinutes(1)),
        new CallSettings(false, TimeSpan.FromSeconds(30)), Pype.Core.Session.CandidateRanges.Lab);

    private readonly IdentityKeyPair node = IdentityKeyPair.Generate();
    private readonly IdentityKeyPair peer = IdentityKeyPair.Generate();
    private readonly Akka.TestKit.TestProbe transport;
    private readonly Akka.TestKit.TestProbe seedLink;
    private readonly IActorRef peers;
    private readonly DatagramRouter router = new();
    private readonly List<RouteIndex> routes = [];
    private readonly PeerLink remote;

    public PeerListActorTests()
    {
        transport = CreateTestProbe();
        seedLink = CreateTestProbe();
        peers = ChildActorOf(PeerListActor.Props(node, Settings, transport, seedLink));
        transport.ExpectMsg<RegisterHandshakeHandler>();
        remote = new PeerLink(NoiseStaticKey.From(peer), peer.PublicKey.ToArray(), node.PublicKey.ToArray(), SystemRandomSource.Instance, new PeerLinkOptions());
    }

    private HashAddress PeerHash => HashAddress.FromPublicKey(peer.PublicKey.Span);

    /// <summary>The seed introduces the peer; returns the ConnectionActor started for it.</summary>
    private IActorRef Introduce()
    {
        peers.Tell(new SeedLinkEventOccurred(new IntroductionReceived(
            SignedPresence.Create(peer, DateTimeOffset.UtcNow, [new Candidate(CandidateKind.Host, PeerEndPoint)]), null)));
        transport.ExpectMsg<PermitRelayPeers>();
        return NextSend().Sender;
    }

    /// <summary>The node's next datagram out; the routes it registered on the way go into the router.</summary>
    private (SendDatagram Send, IActorRef Sender) NextSend()
    {
        while (true)
        {
            var message = transport.ExpectMsg<object>();
            if (message is RouteIndex route)
            {
                routes.Add(route);
                router.Register(route.Index, route.Owner);
            }
            else if (message is SendDatagram send) return (send, transport.LastSender);
        }
    }

    /// <summary>Delivers what the peer's link has to send to whichever actor the router says owns it.</summary>
    private void DeliverFromPeer()
    {
        while (remote.PollTransmit() is { } transmit)
        {
            if (transmit.Datagram[0] == 0xE1) peers.Tell(new InboundDatagram(PeerEndPoint, transmit.Datagram, DateTimeOffset.UtcNow));
            else router.OwnerOf(PeerEndPoint, transmit.Datagram)?.Tell(new InboundDatagram(PeerEndPoint, transmit.Datagram, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>The peer initiates, the node answers; the peer's first data packet connects the node's link.</summary>
    private IActorRef Connect()
    {
        var connection = Introduce();
        remote.Start(DateTimeOffset.UtcNow, [new Candidate(CandidateKind.Host, NodeEndPoint)]);
        DeliverFromPeer();
        SendDatagram response;
        do response = NextSend().Send;
        while (response.Datagram[0] != 0xE2);
        remote.HandleDatagram(DateTimeOffset.UtcNow, NodeEndPoint, response.Datagram);
        remote.Send(DateTimeOffset.UtcNow, [(byte)SessionMessageType.GossipDigest, 1]);
        DeliverFromPeer();
        FishForMessage<PeerConnected>(_ => true);
        return connection;
    }

    [Fact]
    public void An_initiation_from_an_introduced_peer_reaches_its_link_which_routes_the_answered_index_to_itself()
    {
        var connection = Introduce();
        remote.Start(DateTimeOffset.UtcNow, [new Candidate(CandidateKind.Host, NodeEndPoint)]);
        DeliverFromPeer();

        (SendDatagram Send, IActorRef Sender) answer;
        do answer = NextSend();
        while (answer.Send.Datagram[0] != 0xE2);

        Assert.Equal((connection, PeerEndPoint), (answer.Sender, answer.Send.Destination));
        Assert.True(LinkPacketRouting.TryReadSenderIndex(answer.Send.Datagram, out var answeredFrom));
        Assert.Contains(routes, r => r.Index == answeredFrom && r.Owner.Equals(connection));
        remote.HandleDatagram(DateTimeOffset.UtcNow, NodeEndPoint, answer.Send.Datagram);
        remote.Send(DateTimeOffset.UtcNow, [(byte)SessionMessageType.GossipDigest, 1]);
        Assert.Equal(connection, router.OwnerOf(PeerEndPoint, remote.PollTransmit()!.Datagram));
    }

    [Fact]
    public void A_media_packet_goes_from_the_connection_straight_to_the_session_the_call_manager_routed()
    {
        Connect();
        var session = CreateTestProbe();
        peers.Tell(new RouteMedia(PeerHash, session));
        // Gossip to the peer follows the route down to the connection: once it is on the wire, the route has arrived.
        peers.Tell(new Pype.Actors.Replication.SendGossip(PeerHash, [(byte)SessionMessageType.GossipDigest, 2]));
        AwaitGossipOnTheWire(2);
        byte[] media = [(byte)SessionMessageType.MediaRtp, 7, 7, 7];

        remote.Send(DateTimeOffset.UtcNow, media);
        DeliverFromPeer();

        Assert.Equal(media, session.ExpectMsg<MediaPacketReceived>().Payload);
        ExpectNoMsgOfType<Pype.Actors.Calls.MediaReceivedFromPeer>();
    }

    private void AwaitGossipOnTheWire(byte marker)
    {
        while (true)
        {
            remote.HandleDatagram(DateTimeOffset.UtcNow, NodeEndPoint, NextSend().Send.Datagram);
            while (remote.PollEvent() is { } linkEvent)
                if (linkEvent is PeerLinkEvent.DataReceived { Payload: [(byte)SessionMessageType.GossipDigest, var m] } && m == marker) return;
        }
    }

    [Fact]
    public void Without_a_media_route_a_media_packet_goes_up_to_the_call_manager_as_before()
    {
        Connect();
        byte[] media = [(byte)SessionMessageType.MediaRtcp, 1];

        remote.Send(DateTimeOffset.UtcNow, media);
        DeliverFromPeer();

        var received = FishForMessage<Pype.Actors.Calls.MediaReceivedFromPeer>(_ => true);
        Assert.Equal(PeerHash, received.Peer);
        Assert.Equal(media, received.Payload);
    }

    [Fact]
    public void A_route_set_before_the_link_starts_is_given_to_the_link_when_it_does()
    {
        var session = CreateTestProbe();
        peers.Tell(new RouteMedia(PeerHash, session));
        Connect();
        byte[] media = [(byte)SessionMessageType.MediaRtp, 9];

        remote.Send(DateTimeOffset.UtcNow, media);
        DeliverFromPeer();

        Assert.Equal(media, session.ExpectMsg<MediaPacketReceived>().Payload);
    }

    [Fact]
    public void Peers_are_listed_at_once_from_the_endpoints_view_with_their_path()
    {
        Connect();

        peers.Tell(new ListPeers());

        var view = Assert.Single(FishForMessage<PeersView>(_ => true).Peers);
        Assert.Equal((PeerHash.ToString(), "connected", "host", PeerEndPoint.ToString()), (view.Hash, view.State, view.PathKind, view.RemoteEndPoint));
    }

    [Fact]
    public void Status_counts_links_and_names_the_drops()
    {
        Introduce();
        peers.Tell(new InboundDatagram(PeerEndPoint, [0xE1, 0, 0, 0], DateTimeOffset.UtcNow));

        peers.Tell(GetPeerListStatus.Instance);

        var status = FishForMessage<PeerListStatus>(_ => true);
        Assert.Equal((0, 1), (status.Connected, status.Punching));
        Assert.Equal(1, status.Drops["initiation-malformed"]);
    }

    private void ExpectNoMsgOfType<T>()
    {
        foreach (var message in ReceiveWhile<object>(TimeSpan.FromMilliseconds(300), m => m))
            Assert.IsNotType<T>(message);
    }
}
