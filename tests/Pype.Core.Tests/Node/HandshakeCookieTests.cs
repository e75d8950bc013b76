using System.Net;
using Pype.Core.Identity;
using Pype.Core.Node;
using Pype.Core.Noise;
using Pype.Core.Tests.Support;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Node;

/// <summary>mac2 and cookie replies at the handshake gate the seed and every node share (WireGuard's cookie mechanism).</summary>
public sealed class HandshakeCookieTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Source = IPEndPoint.Parse("192.0.2.10:4000");
    private readonly SeededRandomSource _random = new(21);
    private readonly IdentityKeyPair _local = IdentityKeyPair.FromSeed(new byte[32]);
    private readonly NoiseResponder _responder;
    private readonly byte[] _localStatic;
    private uint _nextIndex = 100;

    public HandshakeCookieTests()
    {
        _responder = new NoiseResponder(NoiseStaticKey.From(_local), isPeerAllowed: _ => true);
        _localStatic = IdentityKeyPair.ToX25519PublicKey(_local.PublicKey.Span);
    }

    /// <summary>A gate that is under load from the first initiation of every second.</summary>
    private HandshakeGate LoadedGate(int beforeCookies = 0) => new(_responder, 10, 20, 4096, beforeCookies);

    private static NoiseKeyPair Peer(int peer) => NoiseStaticKey.From(IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(peer + 1), .. new byte[28]]));

    private NoiseInitiator Initiator(int peer, DateTimeOffset at, byte[]? cookie = null) =>
        new(Peer(peer), _localStatic, (uint)(1000 + peer), at, _random, cookie: cookie);

    private Outcome<HandshakeAcceptance, HandshakeDrop> Admit(HandshakeGate gate, byte[] initiation, DateTimeOffset at, IPEndPoint source, out byte[]? cookieReply) =>
        gate.Admit(at, source, initiation, () => _nextIndex++, _random, out cookieReply);

    /// <summary>Sends one initiation without mac2 from <paramref name="source"/> and takes the cookie the gate answers with.</summary>
    private CookieJar CookieFor(HandshakeGate gate, int peer, IPEndPoint source, DateTimeOffset at)
    {
        var first = Initiator(peer, at);
        Assert.Equal(HandshakeDrop.CookieRequired, Admit(gate, first.InitiationPacket, at, source, out var reply).Reason);
        var jar = new CookieJar(_localStatic);
        Assert.True(jar.TryTake(reply, first, at));
        return jar;
    }

    [Fact]
    public void Under_load_an_initiation_without_mac2_gets_a_small_cookie_reply_and_costs_no_diffie_hellman()
    {
        var gate = LoadedGate();
        var allocated = false;

        var outcome = gate.Admit(Now, Source, Initiator(1, Now).InitiationPacket, () => { allocated = true; return 1; }, _random, out var reply);

        Assert.Equal(HandshakeDrop.CookieRequired, outcome.Reason);
        Assert.NotNull(reply);
        Assert.Equal(PypePacketType.CookieReply, PypePacket.Classify(reply));
        Assert.Equal(CookieReply.Length, reply.Length);
        Assert.True(reply.Length < HandshakeInitiation.Length, "a cookie reply must amplify nothing");
        Assert.Equal(1001u, CookieReplyCodec.Decode(reply).Value!.ReceiverIndex);
        Assert.Equal(0, gate.DiffieHellmanRuns);
        Assert.False(allocated);
        Assert.Equal(1, gate.Drops[HandshakeDrop.CookieRequired]);
    }

    [Fact]
    public void With_the_cookie_in_mac2_the_handshake_completes()
    {
        var gate = LoadedGate();
        var jar = CookieFor(gate, 1, Source, Now);

        var retry = Initiator(1, Now + TimeSpan.FromMilliseconds(20), jar.Current(Now));
        var accepted = Admit(gate, retry.InitiationPacket, Now + TimeSpan.FromMilliseconds(20), Source, out var reply);

        Assert.True(accepted.IsSuccess);
        Assert.Null(reply);
        Assert.Equal(1, gate.DiffieHellmanRuns);
        Assert.True(retry.Complete(accepted.Value!.ResponsePacket, Now).IsSuccess);
    }

    [Fact]
    public void A_cookie_is_good_only_for_the_address_and_port_it_was_sent_to()
    {
        var gate = LoadedGate();
        var jar = CookieFor(gate, 1, Source, Now);

        foreach (var elsewhere in new[] { IPEndPoint.Parse("192.0.2.10:4001"), IPEndPoint.Parse("192.0.2.11:4000") })
        {
            var retry = Initiator(1, Now, jar.Current(Now));
            Assert.Equal(HandshakeDrop.CookieRequired, Admit(gate, retry.InitiationPacket, Now, elsewhere, out var reply).Reason);
            Assert.NotNull(reply);
        }
        Assert.Equal(0, gate.DiffieHellmanRuns);
    }

    [Fact]
    public void A_cookie_of_an_expired_secret_is_refused_and_the_initiator_stops_using_it()
    {
        var gate = LoadedGate();
        var jar = CookieFor(gate, 1, Source, Now);
        var cookie = jar.Current(Now)!;
        var later = Now + CookieChecker.SecretLifetime;

        Assert.Null(jar.Current(later));
        var stale = Initiator(1, later, cookie);
        Assert.Equal(HandshakeDrop.CookieRequired, Admit(gate, stale.InitiationPacket, later, Source, out var fresh).Reason);
        Assert.Equal(0, gate.DiffieHellmanRuns);

        // The fresh reply carries a cookie of the new secret, which works.
        Assert.True(jar.TryTake(fresh, stale, later));
        Assert.True(Admit(gate, Initiator(1, later, jar.Current(later)).InitiationPacket, later, Source, out _).IsSuccess);
    }

    [Fact]
    public void A_forged_mac2_is_answered_with_a_cookie_not_a_handshake()
    {
        var gate = LoadedGate();
        var forged = Initiator(1, Now, cookie: new byte[PacketMac.CookieLength]);

        Assert.Equal(HandshakeDrop.CookieRequired, Admit(gate, forged.InitiationPacket, Now, Source, out _).Reason);
        Assert.Equal(0, gate.DiffieHellmanRuns);
    }

    [Fact]
    public void Below_the_load_threshold_no_cookie_is_asked_for_and_each_second_starts_afresh()
    {
        var gate = LoadedGate(beforeCookies: 2);

        Assert.True(Admit(gate, Initiator(1, Now).InitiationPacket, Now, Source, out _).IsSuccess);
        Assert.True(Admit(gate, Initiator(2, Now).InitiationPacket, Now, Source, out _).IsSuccess);
        Assert.Equal(HandshakeDrop.CookieRequired, Admit(gate, Initiator(3, Now).InitiationPacket, Now, Source, out _).Reason);

        var nextSecond = Now + HandshakeGate.LoadWindow;
        Assert.True(Admit(gate, Initiator(3, nextSecond).InitiationPacket, nextSecond, Source, out _).IsSuccess);
        Assert.Equal(3, gate.DiffieHellmanRuns);
    }

    [Fact]
    public void Initiations_that_fail_mac1_do_not_count_towards_the_load()
    {
        var gate = LoadedGate(beforeCookies: 1);
        for (var i = 0; i < 50; i++)
        {
            var forged = Initiator(100 + i, Now).InitiationPacket;
            forged[HandshakeInitiation.MacOffset] ^= 1;
            Assert.Equal(HandshakeDrop.BadMac, Admit(gate, forged, Now, Source, out var reply).Reason);
            Assert.Null(reply);
        }

        Assert.True(Admit(gate, Initiator(1, Now).InitiationPacket, Now, Source, out _).IsSuccess);
    }

    [Fact]
    public void A_handshake_of_the_layout_before_mac2_is_dropped_as_an_unsupported_version()
    {
        var gate = LoadedGate(beforeCookies: 100);
        var old = Initiator(1, Now).InitiationPacket[..HandshakeInitiation.LengthWithoutMac2];

        Assert.Equal(HandshakeDrop.UnsupportedVersion, Admit(gate, old, Now, Source, out var reply).Reason);
        Assert.Null(reply);
        Assert.Equal(WireError.UnsupportedVersion, HandshakeResponseCodec.Decode(new byte[HandshakeResponse.LengthWithoutMac2].Select((_, i) => i == 0 ? (byte)0xE2 : (byte)0).ToArray()).Error);
    }

    [Fact]
    public void A_forged_damaged_or_repeated_cookie_reply_is_not_taken()
    {
        var gate = LoadedGate();
        var initiation = Initiator(1, Now);
        Admit(gate, initiation.InitiationPacket, Now, Source, out var answered);
        var reply = answered!;
        var other = Initiator(2, Now);
        var jar = new CookieJar(_localStatic);

        var damaged = reply.ToArray();
        damaged[CookieReply.EncryptedCookieOffset] ^= 1;
        Assert.False(jar.TryTake(damaged, initiation, Now));
        // Sealed for another initiation's mac1: does not open for this one.
        Assert.False(jar.TryTake(reply, other, Now));
        // Sealed for another responder's key.
        Assert.False(new CookieJar(new byte[32]).TryTake(reply, initiation, Now));
        Assert.False(jar.TryTake(reply[..^1], initiation, Now));
        Assert.Null(jar.Current(Now));

        Assert.True(jar.TryTake(reply, initiation, Now));
        Assert.False(jar.TryTake(reply, initiation, Now));
    }
}
