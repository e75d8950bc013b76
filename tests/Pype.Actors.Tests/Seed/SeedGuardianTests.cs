using System.Net;
using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Seed;
using Pype.Actors.Storage;
using Pype.Actors.Transport;
using Pype.Core;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Xunit;

namespace Pype.Actors.Tests.Seed;

/// <summary>The seed's root with its real transport and server.</summary>
public sealed class SeedGuardianTests : PersistenceTestKit
{
    [Fact]
    public void Status_is_gathered_from_the_transport_and_the_server_and_the_guardian_goes_on_answering()
    {
        var (settings, _) = SettingsLoader.Load([], new Dictionary<string, string> { ["pype.data-dir"] = DataDir }, _ => null);
        var store = new IdentityStore(DataDir, IdentityStore.SeedKeyFileName, KeyFileCost.ForTests);
        var socket = UdpTransportActor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var seed = Sys.ActorOf(SeedGuardian.Props(settings, store, store.LoadOrCreate(null), socket), SeedGuardian.Name);

        seed.Tell(new GetSeedStatus());
        var status = ExpectMsg<SeedStatus>();
        seed.Tell(new SeedWhoAmI());
        var identity = ExpectMsg<SeedIdentityView>();

        Assert.Equal(identity.Address, status.Address);
        Assert.Equal(bound, status.Transport.LocalEndPoint);
        Assert.Equal(0, status.Server.RegisteredPeers);
        Assert.Null(status.Cluster);
    }

    [Fact]
    public async Task A_seed_set_to_ask_every_initiator_for_a_cookie_answers_a_valid_initiation_with_a_cookie_reply()
    {
        var (settings, _) = SettingsLoader.Load([], new Dictionary<string, string>
        {
            ["pype.data-dir"] = DataDir,
            ["pype.seed.handshakes-per-second-before-cookies"] = "0",
        }, _ => null);
        var store = new IdentityStore(DataDir, IdentityStore.SeedKeyFileName, KeyFileCost.ForTests);
        var loaded = store.LoadOrCreate(null);
        var socket = UdpTransportActor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        Sys.ActorOf(SeedGuardian.Props(settings, store, loaded, socket), SeedGuardian.Name);

        // Sent again each second, as a node would: one that arrives before the server has
        // registered with the transport is dropped (initiation-without-handler).
        using var node = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var responderKey = NoiseStaticKey.From(loaded.Identity).PublicKey;
        byte[]? initiation = null;
        byte[]? reply = null;
        for (uint attempt = 1; reply is null && attempt <= 10; attempt++)
        {
            initiation = new NoiseInitiator(
                NoiseStaticKey.From(IdentityKeyPair.Generate()), responderKey, attempt, DateTimeOffset.UtcNow, SystemRandomSource.Instance).InitiationPacket;
            node.Send(initiation, bound);
            if (node.Client.Poll(1_000_000, System.Net.Sockets.SelectMode.SelectRead))
                reply = (await node.ReceiveAsync()).Buffer;
        }

        Assert.NotNull(reply);
        Assert.Equal((0xE4, 64), (reply[0], reply.Length));
        Assert.True(reply.Length < initiation!.Length);
    }
}
