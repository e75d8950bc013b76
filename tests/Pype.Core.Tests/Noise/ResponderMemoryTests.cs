using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class ResponderMemoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private static readonly SeededRandomSource Random = new(5);

    private static NoiseKeyPair Node(int n) =>
        NoiseStaticKey.From(IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)n, 32).ToArray()));

    private static Outcome<HandshakeAcceptance, HandshakeRejection> Initiate(NoiseResponder responder, NoiseKeyPair initiator, NoiseKeyPair responderKey, DateTimeOffset at) =>
        responder.Respond(new NoiseInitiator(initiator, responderKey.PublicKey, 1, at, Random).InitiationPacket, 2, at, Random);

    [Fact]
    public void A_full_replay_table_refuses_new_peers_until_old_ones_have_been_idle_long_enough()
    {
        var seed = Node(200);
        var responder = new NoiseResponder(seed, _ => true, maxRememberedPeers: 3);
        for (var n = 1; n <= 3; n++) Assert.True(Initiate(responder, Node(n), seed, Start).IsSuccess);

        Assert.Equal(HandshakeRejection.TooManyPeers, Initiate(responder, Node(4), seed, Start.AddMinutes(1)).Reason);
        // A peer already remembered is still served while the table is full.
        Assert.True(Initiate(responder, Node(2), seed, Start.AddMinutes(2)).IsSuccess);

        var later = Start + NoiseResponder.ForgetPeerAfter + TimeSpan.FromMinutes(1);
        Assert.True(Initiate(responder, Node(4), seed, later).IsSuccess);
        Assert.True(responder.RememberedPeers <= 3);
    }

    [Fact]
    public void Fresh_keys_arriving_faster_than_the_table_turns_over_are_refused_but_a_steady_stream_never_is()
    {
        // A table of 20 keys forgetting after 3 minutes turns over 20 keys per 180 s.
        var seed = Node(202);
        var responder = new NoiseResponder(seed, _ => true, maxRememberedPeers: 20);
        var at = Start;
        var refused = 0;
        for (var n = 0; n < 120; n++)
        {
            at += TimeSpan.FromSeconds(10);
            if (!Initiate(responder, Node(1 + n % 250), seed, at).IsSuccess) refused++;
        }
        Assert.Equal(0, refused);
        Assert.Equal(20, responder.RememberedPeers);

        for (var n = 0; n < 40; n++)
        {
            at += TimeSpan.FromSeconds(1);
            if (!Initiate(responder, Node(130 + n), seed, at).IsSuccess) refused++;
        }
        Assert.InRange(refused, 20, 39);
        Assert.Equal(20, responder.RememberedPeers);
    }

    [Fact]
    public void A_peer_that_keeps_initiating_is_never_the_one_forgotten()
    {
        var seed = Node(203);
        var alice = Node(9);
        var responder = new NoiseResponder(seed, _ => true, maxRememberedPeers: 3);
        var captured = new NoiseInitiator(alice, seed.PublicKey, 1, Start, Random).InitiationPacket;
        Assert.True(responder.Respond(captured, 2, Start, Random).IsSuccess);
        var at = Start;
        for (var n = 0; n < 30; n++)
        {
            at += TimeSpan.FromMinutes(1);
            Initiate(responder, Node(20 + n), seed, at);
            if (n % 2 == 0) Assert.True(Initiate(responder, alice, seed, at).IsSuccess);
        }
        Assert.Equal(HandshakeRejection.ReplayedInitiation, responder.Respond(captured, 3, at, Random).Reason);
    }

    [Fact]
    public void A_remembered_peers_old_initiation_is_still_refused_as_a_replay()
    {
        var seed = Node(201);
        var alice = Node(7);
        var responder = new NoiseResponder(seed, _ => true, maxRememberedPeers: 3);
        var old = new NoiseInitiator(alice, seed.PublicKey, 1, Start, Random).InitiationPacket;
        Assert.True(responder.Respond(old, 2, Start, Random).IsSuccess);
        Assert.True(Initiate(responder, alice, seed, Start.AddSeconds(5)).IsSuccess);
        Assert.Equal(HandshakeRejection.ReplayedInitiation, responder.Respond(old, 3, Start.AddSeconds(6), Random).Reason);
    }
}
