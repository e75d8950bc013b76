using CsCheck;
using Pype.Core.Noise;
using Pype.Core.Tests.Noise;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Wire;

/// <summary>Whatever arrives from the network, parsers and sessions answer with a result, never an exception.</summary>
public sealed class MalformedInputPropertyTests
{
    private const int Cases = 100_000;

    private static readonly Gen<byte[]> AnyDatagram = Gen.Byte.Array[0, PypePacket.MaxDatagramLength + 16];

    private static readonly Gen<byte[]> PypeLookingDatagram =
        Gen.Select(Gen.Byte[0xE1, 0xE3], Gen.Byte.Array[0, 200], (type, rest) => (byte[])[type, 0, 0, 0, .. rest]);

    [Fact]
    public void Random_bytes_never_make_a_parser_throw()
    {
        Gen.Frequency((1, AnyDatagram), (3, PypeLookingDatagram)).Sample(datagram =>
        {
            PypePacket.Classify(datagram);
            HandshakeInitiationCodec.Decode(datagram);
            HandshakeResponseCodec.Decode(datagram);
            TransportDataCodec.Decode(datagram);
            PacketMac.IsValid(datagram, new byte[PacketMac.StaticPublicKeyLength]);
        }, iter: Cases);
    }

    [Fact]
    public void Truncated_and_bit_flipped_packets_never_make_the_handshake_or_the_session_throw()
    {
        var peers = new PypeHandshakePeers();
        var initiator = peers.AliceInitiates(PypeHandshakePeers.Start);
        var responder = peers.BobResponder();
        var initiation = initiator.InitiationPacket;
        var response = responder.Respond(initiation, 22, PypeHandshakePeers.Start, peers.Random).Value!.ResponsePacket;
        var (alice, bob) = peers.Handshake(PypeHandshakePeers.Start);
        var transport = Enumerable.Range(0, 8).Select(i => alice.Encrypt(new byte[i * 40]).Value!).ToArray();
        var samples = new[] { initiation, response }.Concat(transport).ToArray();

        var mutated = Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 4], Gen.Int, Gen.Byte, (which, how, position, value) =>
            Mutate(samples[which], how, position, value, peers));

        mutated.Sample(packet =>
        {
            Assert.False(bob.Decrypt(packet).IsSuccess);
            Assert.False(alice.Decrypt(packet).IsSuccess);
            HandshakeInitiationCodec.Decode(packet);
            HandshakeResponseCodec.Decode(packet);
        }, iter: Cases, threads: 1);

        // The indices sit outside the Noise transcript (as in WireGuard), so a re-sealed packet with
        // only its index changed may complete; anything touching the Noise message must not.
        mutated.Sample(packet =>
        {
            if (responder.Respond(packet, 1, PypeHandshakePeers.Start, peers.Random).IsSuccess)
                Assert.Equal(initiation[HandshakeInitiation.NoiseMessageOffset..HandshakeInitiation.MacOffset], packet[HandshakeInitiation.NoiseMessageOffset..HandshakeInitiation.MacOffset]);
            if (initiator.Complete(packet, PypeHandshakePeers.Start).IsSuccess)
                Assert.Equal(response[HandshakeResponse.NoiseMessageOffset..HandshakeResponse.MacOffset], packet[HandshakeResponse.NoiseMessageOffset..HandshakeResponse.MacOffset]);
        }, iter: Cases / 10, threads: 1);
    }

    /// <summary>Always changes the packet, so no genuine copy is ever delivered and every case reaches the checks it targets.</summary>
    private static byte[] Mutate(byte[] original, int how, int position, byte value, PypeHandshakePeers peers)
    {
        var bytes = original.ToArray();
        var at = (int)((uint)position % (uint)bytes.Length);
        var flip = (byte)(1 << (value % 8));
        switch (how)
        {
            case 0:
                return bytes[..at];
            case 1:
                bytes[at] ^= flip;
                return bytes;
            case 2:
                bytes[at] = bytes[at] == value ? (byte)~value : value;
                return bytes;
            case 3:
                return [.. bytes, value];
            default:
                return ResealedAfterFlip(bytes, at, flip, peers);
        }
    }

    /// <summary>A forger knows the public keys, so mac1 stops no one determined; the Noise layer must.</summary>
    private static byte[] ResealedAfterFlip(byte[] bytes, int at, byte flip, PypeHandshakePeers peers)
    {
        var macKey = PypePacket.Classify(bytes) switch
        {
            PypePacketType.HandshakeInitiation => peers.Bob.PublicKey,
            PypePacketType.HandshakeResponse => peers.Alice.PublicKey,
            _ => null,
        };
        var coveredLength = macKey is null ? bytes.Length : bytes.Length - PacketMac.MacLength;
        bytes[Math.Min(at, coveredLength - 1)] ^= flip;
        if (macKey is not null)
            PacketMac.Seal(bytes, macKey);
        return bytes;
    }
}
