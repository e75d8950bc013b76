using System.Net;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Seed;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Node;

/// <summary>Introductions made at strangers' request cannot fill the node's link table against its contacts or its own choices.</summary>
public sealed class NodeEndpointLinkCapsTests
{
    private static bool Introduce(EndpointHarness node, IdentityKeyPair peer)
    {
        node.Endpoint.HandleSeedEvent(node.Now, new IntroductionReceived(
            SignedPresence.Create(peer, node.Now, [new Candidate(CandidateKind.Host, IPEndPoint.Parse("192.0.2.20:5000"))]), null));
        return node.Taken<EndpointCommand.StartLink>().Count == 1;
    }

    private static IdentityKeyPair Stranger(int n) => EndpointHarness.Peer(1_000 + n);

    private static IdentityKeyPair Contact(int n) => EndpointHarness.Peer(5_000 + n);

    [Fact]
    public void A_crowd_of_strangers_gets_only_the_strangers_share_and_a_contact_still_connects()
    {
        var node = new EndpointHarness();
        node.Register();
        node.Endpoint.SetContacts([EndpointHarness.Hash(Contact(1))]);

        var admitted = Enumerable.Range(0, 100).Count(n => Introduce(node, Stranger(n)));

        Assert.Equal(NodeEndpoint.MaxStrangerLinks, admitted);
        Assert.Equal(100 - NodeEndpoint.MaxStrangerLinks, node.Endpoint.Drops[NodeEndpointDrop.StrangerLinksFull]);
        Assert.True(Introduce(node, Contact(1)));
        Assert.Equal(NodeEndpoint.MaxStrangerLinks + 1, node.Endpoint.LinkCount);
        Assert.Empty(node.Taken<EndpointCommand.StopLink>());
    }

    [Fact]
    public void A_peer_this_node_asked_for_pushes_out_a_stranger_it_did_not_ask_for()
    {
        var node = new EndpointHarness();
        node.Register();
        for (var n = 0; n < NodeEndpoint.MaxStrangerLinks; n++)
            Assert.True(Introduce(node, Stranger(n)));

        var wanted = Stranger(999);
        node.Endpoint.SendCallSignal(node.Now, EndpointHarness.Hash(wanted), wanted.PublicKey.ToArray(), [0x30]);
        node.Drain();
        Assert.True(Introduce(node, wanted));

        var stopped = Assert.Single(node.Taken<EndpointCommand.StopLink>());
        Assert.Equal(EndpointHarness.Hash(Stranger(0)), stopped.Peer);
        Assert.Equal(NodeEndpoint.MaxStrangerLinks, node.Endpoint.LinkCount);
    }

    [Fact]
    public void A_stranger_never_pushes_out_a_contacts_link()
    {
        var node = new EndpointHarness();
        node.Register();
        var contacts = Enumerable.Range(0, NodeEndpoint.MaxLinks).Select(Contact).ToList();
        node.Endpoint.SetContacts(contacts.Select(EndpointHarness.Hash));
        Assert.All(contacts, contact => Assert.True(Introduce(node, contact)));

        var wanted = Stranger(7);
        node.Endpoint.SendCallSignal(node.Now, EndpointHarness.Hash(wanted), wanted.PublicKey.ToArray(), [0x30]);
        node.Drain();
        Assert.False(Introduce(node, wanted));
        Assert.False(Introduce(node, Stranger(8)));

        Assert.Equal(2, node.Endpoint.Drops[NodeEndpointDrop.LinkTableFull]);
        Assert.Empty(node.Taken<EndpointCommand.StopLink>());
        Assert.Equal(NodeEndpoint.MaxLinks, node.Endpoint.LinkCount);
    }
}
