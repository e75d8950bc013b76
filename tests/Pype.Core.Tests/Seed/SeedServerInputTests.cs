using System.Net;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>The seed facing hand-made input: forged registrations, floods and strays are dropped and counted.</summary>
public sealed class SeedServerInputTests
{
    private static readonly DateTimeOffset Now = SeedScenario.Start;
    private static readonly IPEndPoint PeerEndPoint = IPEndPoint.Parse("203.0.113.9:5000");
    private static readonly IReadOnlyList<Candidate> Candidates = [new(CandidateKind.Host, IPEndPoint.Parse("10.0.0.9:5000"))];

    private readonly SeededRandomSource _random = new(3);
    private readonly IdentityKeyPair _seedIdentity = IdentityKeyPair.FromSeed(new byte[32]);
    private readonly IdentityKeyPair _peerIdentity = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private readonly SeedServer _server;
    private readonly RawSeedPeer _peer;

    public SeedServerInputTests()
    {
        _server = new SeedServer(_seedIdentity, new SeedServerOptions(), _random);
        _peer = new RawSeedPeer(_server, _seedIdentity, _peerIdentity, PeerEndPoint, Now, _random);
    }

    [Fact]
    public void A_genuine_presence_registers_and_is_answered_with_the_observed_endpoint()
    {
        _peer.Send(Now, new SeedRegister(SignedPresence.Create(_peerIdentity, Now, Candidates)));

        var registered = Assert.IsType<SeedRegistered>(Assert.Single(_peer.Received()));
        Assert.Equal(PeerEndPoint, registered.ObservedEndPoint);
        Assert.Equal(15, registered.KeepaliveIntervalSeconds);
        Assert.True(_server.IsOnline(PeerKey.Of(_peerIdentity)));
    }

    [Fact]
    public void A_presence_with_a_bad_signature_is_rejected_and_counted()
    {
        var bytes = SignedPresence.Create(_peerIdentity, Now, Candidates).Encode();
        bytes[^1] ^= 1;
        Assert.True(SignedPresence.TryDecode(bytes, out var forged));

        _peer.Send(Now, new SeedRegister(forged));

        AssertRejected(SeedServerDrop.PresenceBadSignature);
    }

    [Fact]
    public void A_presence_signed_by_another_key_than_the_session_is_rejected_and_counted()
    {
        var someoneElse = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)2, 32).ToArray());

        _peer.Send(Now, new SeedRegister(SignedPresence.Create(someoneElse, Now, Candidates)));

        AssertRejected(SeedServerDrop.PresenceKeyMismatch);
    }

    [Fact]
    public void A_stale_presence_is_rejected_and_counted()
    {
        _peer.Send(Now, new SeedRegister(SignedPresence.Create(_peerIdentity, Now - TimeSpan.FromMinutes(5), Candidates)));

        AssertRejected(SeedServerDrop.PresenceStale);
    }

    [Fact]
    public void A_presence_from_the_future_is_rejected_and_counted()
    {
        _peer.Send(Now, new SeedRegister(SignedPresence.Create(_peerIdentity, Now + TimeSpan.FromMinutes(5), Candidates)));

        AssertRejected(SeedServerDrop.PresenceFromTheFuture);
    }

    [Fact]
    public void A_connect_request_before_registering_is_answered_not_registered()
    {
        _peer.Send(Now, new SeedConnectRequest(77, PeerKey.Of(_seedIdentity)));

        Assert.Equal(new SeedConnectResult(77, SeedConnectStatus.NotRegistered), Assert.Single(_peer.Received()));
    }

    [Fact]
    public void Messages_only_a_seed_sends_are_dropped_when_sent_to_a_seed()
    {
        _peer.Send(Now, new SeedRegistered(15, PeerEndPoint));
        _peer.Send(Now, new SeedPeerList([]));
        _peer.Send(Now, new SeedIntroductionAck(5));
        _peer.SendPlaintext(Now, [0x7F]);
        _peer.SendPlaintext(Now, [(byte)SessionMessageType.SeedPeerListRequest]);

        Assert.Empty(_peer.Received());
        Assert.Equal(2, _server.Drops[SeedServerDrop.MessageUnexpected]);
        Assert.Equal(1, _server.Drops[SeedServerDrop.UnknownIntroduction]);
        Assert.Equal(1, _server.Drops[SeedServerDrop.MessageTypeUnknown]);
        Assert.Equal(1, _server.Drops[SeedServerDrop.MessageMalformed]);
    }

    [Fact]
    public void A_peer_list_request_before_registering_gets_no_answer_and_is_counted()
    {
        _peer.Send(Now, new SeedPeerListRequest(32));

        Assert.Empty(_peer.Received());
        Assert.Equal(1, _server.Drops[SeedServerDrop.PeerListUnregistered]);
    }

    [Fact]
    public void A_ping_is_answered_with_a_pong_and_a_keepalive_with_a_keepalive()
    {
        _peer.Send(Now, new LinkUpkeep(SessionMessageType.Ping, 42));
        _peer.Send(Now, new LinkUpkeep(SessionMessageType.Keepalive, 0));

        Assert.Equal([new LinkUpkeep(SessionMessageType.Pong, 42), new LinkUpkeep(SessionMessageType.Keepalive, 0)], _peer.Received());
    }

    [Fact]
    public void A_handshake_flood_from_one_address_is_rate_limited_and_counted()
    {
        var flooder = IPEndPoint.Parse("192.0.2.66:9999");
        for (var i = 0; i < 100; i++)
            new RawSeedPeerAttempt(_server, _seedIdentity, flooder, Now, _random, i);

        Assert.Equal(80, _server.Drops[SeedServerDrop.HandshakeRateLimited]);
        Assert.Equal(1 + 20, _server.SessionCount);

        // Ten more per second come back; another address was never limited.
        new RawSeedPeerAttempt(_server, _seedIdentity, flooder, Now + TimeSpan.FromMilliseconds(100), _random, 200);
        new RawSeedPeerAttempt(_server, _seedIdentity, flooder, Now + TimeSpan.FromMilliseconds(100), _random, 201);
        new RawSeedPeerAttempt(_server, _seedIdentity, IPEndPoint.Parse("192.0.2.67:1"), Now, _random, 202);
        Assert.Equal(81, _server.Drops[SeedServerDrop.HandshakeRateLimited]);
        Assert.Equal(1 + 22, _server.SessionCount);
    }

    [Fact]
    public void Initiations_without_a_valid_mac1_are_dropped_before_the_rate_limiter_so_a_flood_of_them_locks_nobody_out()
    {
        var source = IPEndPoint.Parse("192.0.2.70:4000");
        for (var i = 0; i < 100; i++)
        {
            var identity = IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(i + 5000), .. new byte[28]]);
            var forged = new Pype.Core.Noise.NoiseInitiator(
                Pype.Core.Noise.NoiseStaticKey.From(identity), IdentityKeyPair.ToX25519PublicKey(_seedIdentity.PublicKey.Span), (uint)i, Now, _random).InitiationPacket.ToArray();
            forged[Pype.Core.Wire.HandshakeInitiation.MacOffset] ^= 1;
            _server.HandleDatagram(Now, source, forged);
        }
        Assert.Null(_server.PollTransmit());
        Assert.Equal(100, _server.Drops[SeedServerDrop.HandshakeBadMac]);
        Assert.Equal(0, _server.Drops[SeedServerDrop.HandshakeRateLimited]);

        // A genuine initiation from that same address, within the same instant, is still answered.
        new RawSeedPeerAttempt(_server, _seedIdentity, source, Now, _random, 300);
        Assert.Equal(1 + 1, _server.SessionCount);
    }

    [Fact]
    public void Strays_are_dropped_and_counted_without_an_answer()
    {
        _server.HandleDatagram(Now, PeerEndPoint, []);
        _server.HandleDatagram(Now, PeerEndPoint, [0x00, 0x01]);
        _server.HandleDatagram(Now, PeerEndPoint, [0xE2, 0, 0, 0]);
        _server.HandleDatagram(Now, PeerEndPoint, [0xE3, 0, 0, 0, 9, 9, 9, 9, .. new byte[40]]);
        _server.HandleDatagram(Now, PeerEndPoint, new byte[148].Select((_, i) => i == 0 ? (byte)0xE1 : (byte)0).ToArray());
        _server.HandleDatagram(Now, PeerEndPoint, [0xE4, 0, 0, 0, .. new byte[60]]);

        Assert.Null(_server.PollTransmit());
        Assert.Equal(2, _server.Drops[SeedServerDrop.NotAPypePacket]);
        Assert.Equal(2, _server.Drops[SeedServerDrop.UnexpectedPacketType]);
        Assert.Equal(1, _server.Drops[SeedServerDrop.UnknownIndex]);
        Assert.Equal(1, _server.Drops[SeedServerDrop.HandshakeBadMac]);
    }

    private void AssertRejected(SeedServerDrop reason)
    {
        Assert.Empty(_peer.Received());
        Assert.Equal(1, _server.Drops[reason]);
        Assert.Equal(0, _server.RegisteredPeerCount);
    }

    /// <summary>One initiation from a fresh identity; its response, if any, is discarded.</summary>
    private sealed class RawSeedPeerAttempt
    {
        public RawSeedPeerAttempt(SeedServer server, IdentityKeyPair seedIdentity, IPEndPoint source, DateTimeOffset now, SeededRandomSource random, int n)
        {
            var identity = IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(n + 1000), .. new byte[28]]);
            var initiator = new Pype.Core.Noise.NoiseInitiator(
                Pype.Core.Noise.NoiseStaticKey.From(identity), IdentityKeyPair.ToX25519PublicKey(seedIdentity.PublicKey.Span), (uint)n, now, random);
            server.HandleDatagram(now, source, initiator.InitiationPacket);
            while (server.PollTransmit() is not null) { }
        }
    }
}
