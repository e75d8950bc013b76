using System.Net;
using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Seed;
using Pype.Actors.Storage;
using Pype.Actors.Transport;
using Pype.Core.Identity;
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
}
