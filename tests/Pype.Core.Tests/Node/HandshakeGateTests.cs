using System.Net;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Noise;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Node;

public sealed class HandshakeGateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Source = IPEndPoint.Parse("192.0.2.10:4000");
    private readonly SeededRandomSource _random = new(12);
    private readonly IdentityKeyPair _local = IdentityKeyPair.FromSeed(new byte[32]);
    private readonly HandshakeGate _gate;
    private uint _nextIndex = 100;

    public HandshakeGateTests() =>
        _gate = HandshakeGate.ForNode(new NoiseResponder(NoiseStaticKey.From(_local), isPeerAllowed: _ => true));

    private byte[] Initiation(int peer, DateTimeOffset at, IdentityKeyPair? towards = null)
    {
        var identity = IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(peer + 1), .. new byte[28]]);
        return new NoiseInitiator(NoiseStaticKey.From(identity), IdentityKeyPair.ToX25519PublicKey((towards ?? _local).PublicKey.Span), (uint)peer, at, _random)
            .InitiationPacket.ToArray();
    }

    private bool Admit(byte[] initiation, DateTimeOffset at, IPEndPoint? source = null) =>
        _gate.Admit(at, source ?? Source, initiation, () => _nextIndex++, _random, out _).IsSuccess;

    [Fact]
    public void A_genuine_initiation_is_answered_with_the_index_its_owner_allocates()
    {
        var accepted = _gate.Admit(Now, Source, Initiation(1, Now), () => 4242, _random, out _);

        Assert.True(accepted.IsSuccess);
        Assert.Equal(4242u, accepted.Value!.Session.LocalIndex);
        Assert.Equal(0, _gate.Drops.Total);
    }

    [Fact]
    public void Bad_mac_initiations_from_an_address_do_not_use_up_a_genuine_peers_rate_budget_there()
    {
        for (var i = 0; i < 100; i++)
        {
            var forged = Initiation(1000 + i, Now);
            forged[Pype.Core.Wire.HandshakeInitiation.MacOffset] ^= 1;
            Assert.False(Admit(forged, Now));
        }

        Assert.Equal(100, _gate.Drops[HandshakeDrop.BadMac]);
        Assert.Equal(0, _gate.Drops[HandshakeDrop.RateLimited]);
        Assert.True(Admit(Initiation(1, Now), Now));
    }

    [Fact]
    public void Initiations_for_another_key_are_screened_out_as_bad_mac_before_any_index_is_allocated()
    {
        var stranger = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)9, 32).ToArray());
        var allocated = false;

        var outcome = _gate.Admit(Now, Source, Initiation(1, Now, towards: stranger), () => { allocated = true; return 1; }, _random, out _);

        Assert.Equal(HandshakeDrop.BadMac, outcome.Reason);
        Assert.False(allocated);
    }

    [Fact]
    public void One_address_gets_a_burst_of_twenty_then_ten_a_second_and_other_addresses_are_not_limited()
    {
        var answered = Enumerable.Range(0, 25).Count(i => Admit(Initiation(i, Now), Now));
        Assert.Equal((int)HandshakeGate.NodeHandshakeBurstPerAddress, answered);
        Assert.Equal(5, _gate.Drops[HandshakeDrop.RateLimited]);

        Assert.True(Admit(Initiation(100, Now), Now + TimeSpan.FromMilliseconds(100)));
        Assert.True(Admit(Initiation(101, Now), Now, IPEndPoint.Parse("192.0.2.11:4000")));
    }

    [Fact]
    public void An_owner_without_room_refuses_after_the_rate_limit_and_the_drop_says_so()
    {
        var outcome = _gate.Admit(Now, Source, Initiation(1, Now), () => null, _random, out _);

        Assert.Equal(HandshakeDrop.NoRoom, outcome.Reason);
        Assert.Equal(1, _gate.Drops[HandshakeDrop.NoRoom]);
    }

    [Fact]
    public void A_replayed_initiation_is_dropped_and_counted()
    {
        var initiation = Initiation(1, Now);
        Assert.True(Admit(initiation, Now));

        Assert.False(Admit(initiation, Now + TimeSpan.FromSeconds(1)));
        Assert.Equal(1, _gate.Drops[HandshakeDrop.Replayed]);
    }

    [Fact]
    public void A_peer_its_owner_does_not_allow_is_refused_after_the_handshake_is_read()
    {
        var gate = HandshakeGate.ForNode(new NoiseResponder(NoiseStaticKey.From(_local), isPeerAllowed: _ => false));

        Assert.Equal(HandshakeDrop.PeerNotAllowed, gate.Admit(Now, Source, Initiation(1, Now), () => 1, _random, out _).Reason);
    }
}
