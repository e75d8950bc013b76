using System.Net;
using Pype.Core.Connection;
using Pype.Core.Noise;
using Pype.Core.Session;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Connection;

public sealed class LinkIndexRoutesTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_handshake_the_link_sends_is_routed_once_and_released_when_the_link_gave_up_on_it()
    {
        var local = GossipOverlay.DeterministicIdentity(1);
        var remote = GossipOverlay.DeterministicIdentity(2);
        var link = new PeerLink(NoiseStaticKey.From(local), local.PublicKey.Span, remote.PublicKey.Span, new SimulationRandom(1),
            new PeerLinkOptions { PunchTimeout = TimeSpan.FromSeconds(1) });
        var routes = new LinkIndexRoutes();
        link.Start(Start, [new Candidate(CandidateKind.Host, IPEndPoint.Parse("192.0.2.7:4000"))]);
        var initiation = link.PollTransmit()!.Datagram;
        Assert.Equal(PypePacketType.HandshakeInitiation, PypePacket.Classify(initiation));

        Assert.True(routes.AddSent(initiation, out var index));
        Assert.True(link.OwnsIndex(index));
        Assert.False(routes.AddSent(initiation, out _));
        Assert.False(routes.AddSent([(byte)PypePacketType.TransportData, 0, 0, 0], out _));
        Assert.Empty(routes.Retire(link));

        link.HandleTimeout(Start + TimeSpan.FromSeconds(1));
        Assert.Equal(PeerLinkState.NoDirectPath, link.State);
        Assert.Contains(index, routes.Retire(link));
        Assert.Equal(0, routes.Count);
    }
}
