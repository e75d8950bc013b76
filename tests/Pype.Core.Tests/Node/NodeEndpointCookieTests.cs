using System.Net;
using Pype.Core.Node;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Node;

/// <summary>A node's gate under load answers with a cookie reply, sent back the way the initiation came.</summary>
public sealed class NodeEndpointCookieTests
{
    private readonly EndpointHarness _node = new();

    [Fact]
    public void Past_the_nodes_load_threshold_an_initiation_without_mac2_gets_a_cookie_reply_towards_its_source()
    {
        var flooder = IPEndPoint.Parse("192.0.2.30:6000");
        for (var i = 0; i < HandshakeGate.NodeInitiationsPerSecondBeforeCookies; i++)
            _node.Endpoint.HandleInitiation(_node.Now, IPEndPoint.Parse($"192.0.2.{31 + i % 100}:6000"), _node.InitiationFrom(EndpointHarness.Peer(1000 + i), (uint)i), viaRelay: false);
        _node.Drain();
        Assert.Empty(_node.Taken<EndpointCommand.SendCookieReply>());

        _node.Endpoint.HandleInitiation(_node.Now, flooder, _node.InitiationFrom(EndpointHarness.Peer(1), 7), viaRelay: true);
        _node.Drain();

        var reply = Assert.Single(_node.Taken<EndpointCommand.SendCookieReply>());
        Assert.Equal((flooder, true, CookieReply.Length), (reply.Destination, reply.ViaRelay, reply.Datagram.Length));
        Assert.Equal(1, _node.Endpoint.DropsByName()["initiation-cookie-required"]);
    }
}
