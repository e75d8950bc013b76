using System.Net;
using CsCheck;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>Whatever a peer sends, seed-protocol decoders and the seed answer with a result, never an exception.</summary>
public sealed class SeedMalformedInputPropertyTests
{
    private const int Cases = 100_000;

    private static readonly byte[][] Samples =
        [.. SeedMessageCodecTests.Examples().Select(e => SeedMessageCodec.Encode(e.Message))];

    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 1300];

    /// <summary>A seed-protocol type byte followed by random bytes, so decoders get past their first check.</summary>
    private static readonly Gen<byte[]> TypedBytes =
        Gen.Select(Gen.Byte[0x00, 0x18], Gen.Byte.Array[0, 300], (type, rest) => (byte[])[type, .. rest]);

    private static readonly Gen<byte[]> MutatedSamples =
        Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.Int[0, 3], Gen.Int, Gen.Byte, (which, how, position, value) => Mutate(Samples[which], how, position, value));

    private static readonly Gen<byte[]> AnyPlaintext = Gen.Frequency((1, RandomBytes), (2, TypedBytes), (4, MutatedSamples));

    [Fact]
    public void Random_truncated_and_bit_flipped_messages_never_make_a_decoder_throw()
    {
        AnyPlaintext.Sample(bytes =>
        {
            var decoded = SeedMessageCodec.Decode(bytes);
            if (decoded.IsSuccess)
                Assert.Equal(bytes, SeedMessageCodec.Encode(decoded.Value));
            if (SignedPresence.TryDecode(bytes, out var presence))
                presence.Verify(SeedScenario.Start, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            CandidateCodec.TryRead(bytes, out _, out _);
            LinkMessages.TryReadNonce(bytes, SessionMessageType.Ping, out _);
        }, iter: Cases);
    }

    [Fact]
    public void Random_datagrams_never_make_the_seed_throw()
    {
        var random = new SeededRandomSource(11);
        var server = new SeedServer(IdentityKeyPair.FromSeed(new byte[32]), new SeedServerOptions(), random);
        var source = IPEndPoint.Parse("192.0.2.1:1000");
        var pypeLooking = Gen.Select(Gen.Byte[0xE0, 0xE4], Gen.Byte.Array[0, 200], (type, rest) => (byte[])[type, 0, 0, 0, .. rest]);

        Gen.Frequency((1, RandomBytes), (3, pypeLooking)).Sample(datagram =>
        {
            server.HandleDatagram(SeedScenario.Start, source, datagram);
            Assert.Null(server.PollTransmit());
        }, iter: Cases, threads: 1);
    }

    [Fact]
    public void Authenticated_garbage_from_a_registered_peer_never_makes_the_seed_throw()
    {
        var random = new SeededRandomSource(12);
        var seedIdentity = IdentityKeyPair.FromSeed(new byte[32]);
        var server = new SeedServer(seedIdentity, new SeedServerOptions(), random);
        var now = SeedScenario.Start;
        var peers = Enumerable.Range(1, 3).Select(i =>
        {
            var identity = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)i, 32).ToArray());
            var peer = new RawSeedPeer(server, seedIdentity, identity, IPEndPoint.Parse($"203.0.113.{i}:4000"), now, random);
            peer.Send(now, new SeedRegister(SignedPresence.Create(identity, now, [])));
            return peer;
        }).ToArray();
        Assert.Equal(3, server.RegisteredPeerCount);

        Gen.Select(Gen.Int[0, 2], AnyPlaintext.Where(p => p.Length <= SeedMessageCodec.MaxMessageLength), (who, plaintext) => (who, plaintext))
            .Sample(input =>
            {
                peers[input.who].SendPlaintext(now, input.plaintext);
                while (server.PollTransmit() is not null) { }
                while (server.PollEvent() is not null) { }
            }, iter: Cases, threads: 1);

        // The garbage included introductions of registered peers' keys; none of it broke the registry.
        Assert.InRange(server.RegisteredPeerCount, 1, 3);
        server.HandleTimeout(now + TimeSpan.FromMinutes(5));
        Assert.Equal(0, server.RegisteredPeerCount);
    }

    [Fact]
    public void Random_datagrams_never_make_a_registered_node_throw()
    {
        var network = new SeedScenario();
        var seed = network.AddSeed();
        var node = network.AddNode(seed);
        network.RunUntil(() => node.Client.IsRegistered, TimeSpan.FromSeconds(2));
        var stunLooking = Gen.Select(Gen.Byte[0x00, 0x03], Gen.Byte.Array[0, 100], (type, rest) => (byte[])[type, .. rest]);
        var pypeLooking = Gen.Select(Gen.Byte[0xE1, 0xE3], Gen.Byte.Array[0, 200], (type, rest) => (byte[])[type, 0, 0, 0, .. rest]);

        Gen.Frequency((1, RandomBytes), (1, stunLooking), (3, pypeLooking)).Sample(datagram =>
        {
            node.Client.HandleDatagram(network.Now, seed.EndPoint, datagram);
            while (node.Client.PollTransmit() is not null) { }
        }, iter: Cases / 10, threads: 1);

        Assert.True(node.Client.IsRegistered);
        Assert.Empty(node.Client.PollEvent() is { } e ? [e] : Array.Empty<SeedClientEvent>());
    }

    private static byte[] Mutate(byte[] original, int how, int position, byte value)
    {
        var bytes = original.ToArray();
        var at = (int)((uint)position % (uint)bytes.Length);
        switch (how)
        {
            case 0:
                return bytes[..at];
            case 1:
                bytes[at] ^= (byte)(1 << (value % 8));
                return bytes;
            case 2:
                bytes[at] = value;
                return bytes;
            default:
                return [.. bytes, value];
        }
    }
}
