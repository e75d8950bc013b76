using Pype.Core.Noise;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class NoiseSessionTests
{
    private static readonly DateTimeOffset Now = PypeHandshakePeers.Start;

    [Fact]
    public void Two_nodes_complete_a_handshake_and_exchange_data_both_ways()
    {
        var peers = new PypeHandshakePeers();
        var initiator = peers.AliceInitiates(Now);

        var accepted = peers.BobResponder().Respond(initiator.InitiationPacket, 22, Now, peers.Random);
        var completed = initiator.Complete(accepted.Value!.ResponsePacket, Now);

        var alice = completed.Value!;
        var bob = accepted.Value.Session;
        Assert.Equal((11u, 22u), (alice.LocalIndex, alice.RemoteIndex));
        Assert.Equal((22u, 11u), (bob.LocalIndex, bob.RemoteIndex));
        Assert.Equal(peers.Alice.PublicKey, bob.RemoteStaticPublicKey);
        Assert.Equal(alice.HandshakeHash, bob.HandshakeHash);
        Assert.Equal("hello bob"u8.ToArray(), bob.Decrypt(alice.Encrypt("hello bob"u8).Value!).Value);
        Assert.Equal("hello alice"u8.ToArray(), alice.Decrypt(bob.Encrypt("hello alice"u8).Value!).Value);
    }

    [Fact]
    public void An_initiation_for_another_static_key_is_rejected_by_its_mac_before_any_DH()
    {
        var peers = new PypeHandshakePeers();
        var stranger = new PypeHandshakePeers(seed: 2);
        var initiator = new NoiseInitiator(peers.Alice, stranger.Bob.PublicKey, 11, Now, peers.Random);

        var outcome = peers.BobResponder().Respond(initiator.InitiationPacket, 22, Now, peers.Random);

        Assert.Equal(HandshakeRejection.BadMac, outcome.Reason);
    }

    [Fact]
    public void An_initiator_the_policy_does_not_allow_is_rejected()
    {
        var peers = new PypeHandshakePeers();

        var outcome = peers.BobResponder(_ => false).Respond(peers.AliceInitiates(Now).InitiationPacket, 22, Now, peers.Random);

        Assert.Equal(HandshakeRejection.PeerNotAllowed, outcome.Reason);
    }

    [Fact]
    public void A_replayed_initiation_is_rejected_but_a_newer_one_is_answered()
    {
        var peers = new PypeHandshakePeers();
        var responder = peers.BobResponder();
        var first = peers.AliceInitiates(Now).InitiationPacket;

        Assert.True(responder.Respond(first, 22, Now, peers.Random).IsSuccess);
        Assert.Equal(HandshakeRejection.ReplayedInitiation, responder.Respond(first, 23, Now, peers.Random).Reason);
        Assert.True(responder.Respond(peers.AliceInitiates(Now.AddSeconds(1)).InitiationPacket, 24, Now, peers.Random).IsSuccess);
    }

    [Fact]
    public void A_replayed_initiation_with_a_rewritten_sender_index_is_still_rejected_as_a_replay()
    {
        var peers = new PypeHandshakePeers();
        var responder = peers.BobResponder();
        var first = peers.AliceInitiates(Now).InitiationPacket;
        responder.Respond(first, 22, Now, peers.Random);
        var rewritten = first.ToArray();
        rewritten[HandshakeInitiation.SenderIndexOffset] ^= 0xFF;
        PacketMac.Seal(rewritten, peers.Bob.PublicKey);

        Assert.Equal(HandshakeRejection.ReplayedInitiation, responder.Respond(rewritten, 23, Now, peers.Random).Reason);
    }

    [Fact]
    public void A_forged_response_does_not_spoil_the_genuine_one()
    {
        var peers = new PypeHandshakePeers();
        var initiator = peers.AliceInitiates(Now);
        var genuine = peers.BobResponder().Respond(initiator.InitiationPacket, 22, Now, peers.Random).Value!.ResponsePacket;
        var forged = genuine.ToArray();
        forged[HandshakeResponse.NoiseMessageOffset] ^= 1;
        PacketMac.Seal(forged, peers.Alice.PublicKey);

        Assert.Equal(HandshakeRejection.AuthenticationFailed, initiator.Complete(forged, Now).Reason);
        Assert.True(initiator.Complete(genuine, Now).IsSuccess);
        Assert.Equal(HandshakeRejection.NotExpected, initiator.Complete(genuine, Now).Reason);
    }

    [Fact]
    public void A_replayed_transport_packet_is_dropped_as_replayed()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);
        var packet = alice.Encrypt([1, 2, 3]).Value!;

        Assert.True(bob.Decrypt(packet).IsSuccess);
        Assert.Equal(DropReason.Replayed, bob.Decrypt(packet).Reason);
    }

    [Fact]
    public void An_altered_transport_packet_is_dropped_and_does_not_burn_its_counter()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);
        var packet = alice.Encrypt([1, 2, 3]).Value!;
        var altered = packet.ToArray();
        altered[^1] ^= 0x80;

        Assert.Equal(DropReason.AuthenticationFailed, bob.Decrypt(altered).Reason);
        Assert.True(bob.Decrypt(packet).IsSuccess);
    }

    [Fact]
    public void Packets_for_another_index_or_too_short_are_dropped_with_their_reason()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);

        Assert.Equal(DropReason.WrongIndex, alice.Decrypt(alice.Encrypt([1]).Value!).Reason);
        Assert.Equal(DropReason.TooShort, bob.Decrypt(alice.Encrypt([1]).Value![..20]).Reason);
        Assert.Equal(DropReason.Malformed, bob.Decrypt([0x01, 0, 0, 0]).Reason);
    }

    [Fact]
    public void Packets_arriving_out_of_order_are_all_delivered()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);
        var packets = Enumerable.Range(0, 50).Select(i => alice.Encrypt([(byte)i]).Value!).ToList();

        var delivered = packets.AsEnumerable().Reverse().Select(p => bob.Decrypt(p).Value![0]).ToList();

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (byte)i).Reverse(), delivered);
    }

    [Fact]
    public void A_payload_that_would_exceed_1200_bytes_is_not_sent()
    {
        var (alice, _) = new PypeHandshakePeers().Handshake(Now);

        Assert.True(alice.Encrypt(new byte[TransportData.MaxPayloadLength]).IsSuccess);
        Assert.Equal(SendFailure.PayloadTooLarge, alice.Encrypt(new byte[TransportData.MaxPayloadLength + 1]).Reason);
    }

    [Fact]
    public void A_session_whose_counter_is_exhausted_refuses_to_send_and_the_peer_refuses_such_counters()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);
        alice.SkipSendCounterTo(PypeNoise.RejectAfterMessages - 1);

        var last = alice.Encrypt([1]);
        var beyond = alice.Encrypt([2]);

        Assert.True(bob.Decrypt(last.Value!).IsSuccess);
        Assert.Equal(SendFailure.CounterExhausted, beyond.Reason);
        Assert.True(alice.IsExpired(Now));
        var forgedHeader = TransportDataCodec.Encode(new TransportData(bob.LocalIndex, PypeNoise.RejectAfterMessages, new byte[16])).Value!;
        Assert.Equal(DropReason.CounterLimitReached, bob.Decrypt(forgedHeader).Reason);
    }

    [Fact]
    public void Rekey_is_due_after_two_minutes_or_two_to_the_sixty_messages()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);

        Assert.False(alice.NeedsRekey(Now + PypeNoise.RekeyAfterTime - TimeSpan.FromTicks(1)));
        Assert.True(alice.NeedsRekey(Now + PypeNoise.RekeyAfterTime));
        Assert.False(alice.IsExpired(Now + PypeNoise.RekeyAfterTime));
        Assert.True(alice.IsExpired(Now + PypeNoise.RejectAfterTime));
        bob.SkipSendCounterTo(PypeNoise.RekeyAfterMessages);
        Assert.True(bob.NeedsRekey(Now));
    }
}
