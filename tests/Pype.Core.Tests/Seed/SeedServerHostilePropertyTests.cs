using System.Net;
using CsCheck;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>
/// A stateful <see cref="SeedServer"/> under 10^5 hostile inputs from many addresses: random bytes,
/// Pype-shaped garbage, valid initiations (fresh, replayed, mutated), handshakes that complete and
/// then send garbage, registrations, and time moving on. No exception may escape and every table
/// stays within its bound.
/// </summary>
public sealed class SeedServerHostilePropertyTests
{
    private const int Cases = 100_000;
    private const int Addresses = 2_000;
    private const int InitiationPool = 150;
    private const int MaxLiveSessions = 24;

    private static readonly SeedServerOptions Options = new()
    {
        MaxSessions = 32,
        MaxHalfOpenSessions = 48,
        MaxRegisteredPeers = 16,
        MaxRateLimitedAddresses = 256,
        MaxPendingIntroductions = 64,
        HandshakesPerSecondBeforeCookies = 20,
    };

    private readonly SeededRandomSource _random = new(77);
    private readonly IdentityKeyPair _seedIdentity = IdentityKeyPair.FromSeed(new byte[32]);
    private readonly SeedServer _server;
    private readonly byte[] _seedStatic;
    private readonly List<(NoiseInitiator Initiator, IdentityKeyPair Identity)> _pool = [];
    private readonly Dictionary<uint, (NoiseInitiator Initiator, IdentityKeyPair Identity, IPEndPoint Source)> _awaitingResponse = [];
    private readonly List<(NoiseSession Session, IdentityKeyPair Identity, IPEndPoint Source)> _live = [];
    private DateTimeOffset _now = SeedScenario.Start;

    public SeedServerHostilePropertyTests()
    {
        _server = new SeedServer(_seedIdentity, Options, _random);
        _seedStatic = IdentityKeyPair.ToX25519PublicKey(_seedIdentity.PublicKey.Span);
        for (var i = 0; i < InitiationPool; i++)
        {
            var identity = IdentityKeyPair.FromSeed([.. BitConverter.GetBytes(i + 1), .. new byte[28]]);
            _pool.Add((new NoiseInitiator(NoiseStaticKey.From(identity), _seedStatic, (uint)(i + 1), _now, _random), identity));
        }
    }

    private abstract record Input;

    private sealed record Raw(int From, byte[] Datagram) : Input;

    private sealed record PooledInitiation(int From, int Which, int FlipAt, byte Flip) : Input;

    private sealed record OnSession(int Which, byte[] Plaintext, bool Register, int FlipAt) : Input;

    private sealed record Wait(int Milliseconds) : Input;

    private static readonly Gen<byte[]> AnyBytes = Gen.Byte.Array[0, 300];

    private static readonly Gen<byte[]> PypeShaped = Gen.Select(
        Gen.Byte[0xE0, 0xE5], Gen.Int[0, 6].Select(i => new[] { 0, 28, 60, 88, 128, 144, 200 }[i]), Gen.Byte.Array[0, 16],
        (type, length, tail) => (byte[])[type, 0, 0, 0, .. new byte[length], .. tail]);

    private static readonly Gen<Input> Inputs = Gen.Frequency(
        (3, Gen.Select(Gen.Int[0, Addresses - 1], Gen.Frequency((1, AnyBytes), (2, PypeShaped)), (from, bytes) => (Input)new Raw(from, bytes))),
        (3, Gen.Select(Gen.Int[0, Addresses - 1], Gen.Int[0, InitiationPool - 1], Gen.Int[-HandshakeInitiation.Length, HandshakeInitiation.Length - 1], Gen.Byte[1, 255],
            (from, which, at, flip) => (Input)new PooledInitiation(from, which, at, flip))),
        (3, Gen.Select(Gen.Int[0, MaxLiveSessions - 1], Gen.Byte.Array[0, 80], Gen.Int[0, 9], Gen.Int[-40, 120],
            (which, plaintext, register, flipAt) => (Input)new OnSession(which, plaintext, register == 0, flipAt))),
        (1, Gen.Int[0, 20].Select(ms => (Input)new Wait(ms))));

    [Fact]
    public void A_hundred_thousand_hostile_inputs_never_throw_and_every_table_stays_within_its_bound()
    {
        Inputs.Sample(input =>
        {
            Apply(input);
            Drain();
            Assert.InRange(_server.HalfOpenSessionCount, 0, Options.MaxHalfOpenSessions);
            Assert.InRange(_server.EstablishedSessionCount, 0, Options.MaxSessions);
            Assert.Equal(_server.SessionCount, _server.HalfOpenSessionCount + _server.EstablishedSessionCount);
            Assert.InRange(_server.RegisteredPeerCount, 0, Options.MaxRegisteredPeers);
            Assert.InRange(_server.RateLimitedAddressCount, 0, Options.MaxRateLimitedAddresses);
            Assert.InRange(_server.PendingIntroductionCount, 0, Options.MaxPendingIntroductions);
        }, iter: Cases, threads: 1);

        // The run did reach the states it is meant to stress, not just the first drop.
        Assert.True(_server.Drops[SeedServerDrop.HandshakeCookieRequired] > 0);
        Assert.True(_server.HalfOpenEvictions + _server.Drops[SeedServerDrop.HandshakeReplayed] > 0);
        Assert.True(_server.Drops[SeedServerDrop.TransportAuthenticationFailed] > 0);
        Assert.True(_server.Drops[SeedServerDrop.MessageMalformed] + _server.Drops[SeedServerDrop.MessageTypeUnknown] > 0);
    }

    private static IPEndPoint Address(int from) => new(new IPAddress([192, 0, (byte)(2 + (from >> 8) % 2), (byte)from]), 1000 + from % 7);

    private void Apply(Input input)
    {
        switch (input)
        {
            case Raw raw:
                _server.HandleDatagram(_now, Address(raw.From), raw.Datagram);
                break;
            case PooledInitiation pooled:
                var (initiator, identity) = _pool[pooled.Which];
                var packet = initiator.InitiationPacket.ToArray();
                if (pooled.FlipAt >= 0)
                    packet[pooled.FlipAt] ^= pooled.Flip;
                else if (pooled.FlipAt == -1)
                    packet = packet[..^1];
                var source = Address(pooled.From);
                _awaitingResponse[initiator.LocalIndex] = (initiator, identity, source);
                _server.HandleDatagram(_now, source, packet);
                break;
            case OnSession { Which: var which } send when which < _live.Count:
                var (session, owner, from) = _live[which];
                var plaintext = send.Register ? SeedMessageCodec.Encode(new SeedRegister(SignedPresence.Create(owner, _now, []))) : send.Plaintext;
                if (session.Encrypt(plaintext) is { IsSuccess: true } sealedPacket)
                {
                    var bytes = sealedPacket.Value.ToArray();
                    if (send.FlipAt >= 0 && send.FlipAt < bytes.Length)
                        bytes[send.FlipAt] ^= 0x5A;
                    _server.HandleDatagram(_now, from, bytes);
                }
                break;
            case OnSession:
                break;
            case Wait wait:
                _now += TimeSpan.FromMilliseconds(wait.Milliseconds);
                _server.HandleTimeout(_now);
                break;
        }
    }

    /// <summary>Completes handshakes the seed answered, so later inputs can send on them; drops everything else it sent.</summary>
    private void Drain()
    {
        while (_server.PollTransmit() is { } transmit)
        {
            if (PypePacket.Classify(transmit.Datagram) == PypePacketType.CookieReply)
                Assert.True(transmit.Datagram.Length < HandshakeInitiation.Length);
            if (PypePacket.Classify(transmit.Datagram) != PypePacketType.HandshakeResponse
                || !LinkPacketRoutingIndex(transmit.Datagram, out var index)
                || !_awaitingResponse.Remove(index, out var waiting))
                continue;
            var completed = waiting.Initiator.Complete(transmit.Datagram, _now);
            if (!completed.IsSuccess)
                continue;
            if (_live.Count >= MaxLiveSessions)
                _live.RemoveAt(0);
            _live.Add((completed.Value, waiting.Identity, waiting.Source));
            // A used initiator cannot complete twice: replace it in the pool with a fresh one of the same key.
            var slot = _pool.FindIndex(p => p.Initiator == waiting.Initiator);
            _pool[slot] = (new NoiseInitiator(NoiseStaticKey.From(waiting.Identity), _seedStatic, waiting.Initiator.LocalIndex, _now, _random), waiting.Identity);
        }
        while (_server.PollEvent() is not null) { }
    }

    private static bool LinkPacketRoutingIndex(byte[] datagram, out uint index) =>
        Pype.Core.Connection.LinkPacketRouting.TryReadReceiverIndex(datagram, out index);
}
