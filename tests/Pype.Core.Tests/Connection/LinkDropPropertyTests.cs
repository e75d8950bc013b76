using System.Net;
using CsCheck;
using Pype.Core.Connection;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Tests.Connection.Simulation;
using Pype.Core.Tests.Support;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>Whatever reaches a link, from a third party or as garbage, it is dropped and counted once, never thrown.</summary>
public sealed class LinkDropPropertyTests
{
    private const int Cases = 100_000;
    private static readonly IPEndPoint Stranger = IPEndPoint.Parse("192.0.2.99:4444");

    [Fact]
    public void Garbage_and_mutated_packets_are_each_dropped_and_counted_exactly_once()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(5));
        var link = lab.Alice.RequiredLink;
        var index = link.SendingSession(lab.Now)!.Noise.LocalIndex;
        var genuine = Enumerable.Range(0, 4).Select(i => lab.Bob.RequiredLink.SendingSession(lab.Now)!.Noise.Encrypt(new byte[] { 0x20, (byte)i }).Value!).ToArray();
        var anyBytes = Gen.Byte.Array[0, PypePacket.MaxDatagramLength + 8];
        var aimedAtTheLink = Gen.Select(Gen.Byte[0xE1, 0xE3], Gen.Byte.Array[0, 120], (type, rest) => BitConverter.GetBytes(index) is var i
            ? (byte[])[type, 0, 0, 0, .. i, .. rest] : []);
        var mutatedGenuine = Gen.Select(Gen.Int[0, genuine.Length - 1], Gen.Int[0, int.MaxValue], Gen.Byte[1, 255], (which, at, flip) =>
        {
            var bytes = genuine[which].ToArray();
            bytes[at % bytes.Length] ^= flip;
            return bytes;
        });
        var before = link.Drops.Total;
        var path = link.ActivePath;
        var cases = 0;

        Gen.Frequency((2, anyBytes), (3, aimedAtTheLink), (3, mutatedGenuine)).Sample(packet =>
        {
            var dropsBefore = link.Drops.Total;
            link.HandleDatagram(lab.Now, Stranger, packet);
            Assert.Equal(dropsBefore + 1, link.Drops.Total);
            cases++;
        }, iter: Cases, threads: 1);

        Assert.Equal(before + cases, link.Drops.Total);
        Assert.Null(link.PollEvent());
        Assert.Equal(PeerLinkState.Connected, link.State);
        Assert.Equal(path, link.ActivePath);
    }

    [Fact]
    public void A_third_party_with_a_valid_handshake_of_its_own_is_dropped_as_the_wrong_peer()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        var random = new SeededRandomSource(99);
        var carol = NoiseStaticKey.From(IdentityKeyPair.Generate(random));
        var link = lab.Alice.RequiredLink;
        var aliceIndex = link.SendingSession(lab.Now)!.Noise.LocalIndex;
        var carolInitiator = new NoiseInitiator(carol, lab.Alice.Static.PublicKey, 5, lab.Now, random);
        var accepted = lab.Alice.Responder.Respond(carolInitiator.InitiationPacket, 77, lab.Now, random).Value!;
        var carolSession = carolInitiator.Complete(accepted.ResponsePacket, lab.Now).Value!;

        link.HandleAcceptedHandshake(lab.Now, Stranger, accepted);
        Assert.Equal(1, link.Drops[LinkDropReason.WrongPeer]);
        Assert.Null(link.PollTransmit());

        // Carol's transport packets re-addressed to Alice's live index fail authentication.
        for (var i = 0; i < 100; i++)
        {
            var packet = carolSession.Encrypt([0x20, (byte)i]).Value!;
            BitConverter.GetBytes(aliceIndex).CopyTo(packet, TransportData.ReceiverIndexOffset);
            link.HandleDatagram(lab.Now, Stranger, packet);
        }
        Assert.Equal(100, link.Drops[LinkDropReason.AuthenticationFailed]);
        Assert.Null(link.PollEvent());
        Assert.NotEqual(Stranger, link.ActivePath);
    }

    [Fact]
    public void A_replayed_genuine_packet_is_dropped_as_replayed()
    {
        var lab = LinkScenario.Between(Placement.Eim, Placement.Eim).IntroduceAndConnect();
        lab.RunFor(TimeSpan.FromSeconds(5));
        var packet = lab.Bob.RequiredLink.SendingSession(lab.Now)!.Noise.Encrypt(new byte[] { 0x20 }).Value!;
        var link = lab.Alice.RequiredLink;

        link.HandleDatagram(lab.Now, link.ActivePath!, packet);
        link.HandleDatagram(lab.Now, link.ActivePath!, packet);

        Assert.IsType<PeerLinkEvent.DataReceived>(link.PollEvent());
        Assert.Equal(1, link.Drops[LinkDropReason.Replayed]);
    }
}
