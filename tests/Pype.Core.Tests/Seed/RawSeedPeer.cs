using System.Net;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Seed;

/// <summary>A hand-driven Noise session with a <see cref="SeedServer"/>, for sending it whatever a test wants.</summary>
internal sealed class RawSeedPeer
{
    private readonly SeedServer _server;

    public RawSeedPeer(SeedServer server, IdentityKeyPair seedIdentity, IdentityKeyPair identity, IPEndPoint endPoint, DateTimeOffset now, SeededRandomSource random)
    {
        _server = server;
        Identity = identity;
        EndPoint = endPoint;
        var initiator = new NoiseInitiator(
            NoiseStaticKey.From(identity), IdentityKeyPair.ToX25519PublicKey(seedIdentity.PublicKey.Span), 1, now, random);
        server.HandleDatagram(now, endPoint, initiator.InitiationPacket);
        NoiseSession? session = null;
        while (session is null && server.PollTransmit() is { } transmit)
            if (transmit.Destination.Equals(endPoint) && transmit.Datagram[0] == 0xE2)
                session = initiator.Complete(transmit.Datagram, now).Value;
        Session = session ?? throw new InvalidOperationException("the seed did not answer the handshake");
    }

    public IdentityKeyPair Identity { get; }

    public IPEndPoint EndPoint { get; }

    public NoiseSession Session { get; }

    public void Send(DateTimeOffset now, SeedMessage message) => SendPlaintext(now, SeedMessageCodec.Encode(message));

    public void SendPlaintext(DateTimeOffset now, byte[] plaintext) => _server.HandleDatagram(now, EndPoint, Session.Encrypt(plaintext).Value!);

    /// <summary>Every message the seed has queued for this peer, decrypted; others' packets are left out.</summary>
    public List<SeedMessage> Received()
    {
        var messages = new List<SeedMessage>();
        while (_server.PollTransmit() is { } transmit)
        {
            if (!transmit.Destination.Equals(EndPoint))
                continue;
            var plaintext = Session.Decrypt(transmit.Datagram);
            if (plaintext.IsSuccess)
                messages.Add(SeedMessageCodec.Decode(plaintext.Value).Value!);
        }
        return messages;
    }
}
