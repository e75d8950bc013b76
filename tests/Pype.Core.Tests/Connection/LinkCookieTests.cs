using System.Net;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>A link whose peer is under load: it keeps the peer's cookie, and its next initiations carry mac2.</summary>
public sealed class LinkCookieTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint AliceSeenByBob = IPEndPoint.Parse("198.51.100.2:40000");
    private static readonly IPEndPoint Bob = IPEndPoint.Parse("203.0.113.10:51820");

    private readonly SeededRandomSource _random = new(51);
    private readonly IdentityKeyPair _alice;
    private readonly IdentityKeyPair _bob;
    private readonly PeerLink _link;
    private readonly CookieChecker _bobsCookies;

    public LinkCookieTests()
    {
        _alice = IdentityKeyPair.Generate(_random);
        _bob = IdentityKeyPair.Generate(_random);
        _link = new PeerLink(NoiseStaticKey.From(_alice), _alice.PublicKey.Span, _bob.PublicKey.Span, _random);
        _bobsCookies = new CookieChecker(IdentityKeyPair.ToX25519PublicKey(_bob.PublicKey.Span));
        _link.Start(Start, [new Candidate(CandidateKind.Host, Bob)]);
    }

    private byte[] NextInitiation()
    {
        while (_link.PollTransmit() is { } transmit)
            if (PypePacket.Classify(transmit.Datagram) == PypePacketType.HandshakeInitiation)
                return transmit.Datagram;
        _link.HandleTimeout(_link.NextDeadline!.Value);
        return NextInitiation();
    }

    [Fact]
    public void After_a_cookie_reply_the_next_probe_round_carries_a_mac2_the_peer_accepts()
    {
        var first = NextInitiation();
        Assert.False(_bobsCookies.IsMac2Valid(first, AliceSeenByBob, Start));
        var reply = _bobsCookies.CreateReply(first, AliceSeenByBob, Start, _random);

        _link.HandleDatagram(Start, Bob, reply);
        var next = NextInitiation();

        Assert.True(_bobsCookies.IsMac2Valid(next, AliceSeenByBob, Start + TimeSpan.FromMilliseconds(100)));
        Assert.Equal(0, _link.Drops.Total);
    }

    [Fact]
    public void A_forged_or_repeated_cookie_reply_is_dropped_and_counted()
    {
        var first = NextInitiation();
        var reply = _bobsCookies.CreateReply(first, AliceSeenByBob, Start, _random);
        var forged = reply.ToArray();
        forged[^1] ^= 1;

        _link.HandleDatagram(Start, Bob, forged);
        _link.HandleDatagram(Start, Bob, reply);
        _link.HandleDatagram(Start, Bob, reply);

        Assert.Equal(2, _link.Drops[LinkDropReason.CookieReplyRejected]);
        Assert.Equal(PeerLinkState.Punching, _link.State);
    }
}
