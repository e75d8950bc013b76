using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Storage;
using Pype.Actors.Transport;

namespace Pype.Actors.Seed;

/// <summary>
/// The root of a seed: owns the seed's identity (the key nodes pin in their configuration) and
/// its UDP socket, where STUN Binding requests are answered. It runs beside a node in the same
/// actor system when both are enabled.
/// </summary>
public sealed class SeedGuardian : ReceiveActor
{
    public const string Name = "seed";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;
    private readonly IActorRef transport;
    private readonly IActorRef server;
    private readonly IActorRef? cluster;

    public SeedGuardian(PypeSettings settings, IdentityStore store, LoadedIdentity loaded, System.Net.Sockets.Socket socket)
    {
        var identity = loaded.Identity;
        transport = Context.ActorOf(UdpTransportActor.Props(socket), "transport");
        var options = new Pype.Core.Seed.SeedServerOptions
        {
            KeepaliveInterval = settings.Seed.KeepaliveInterval,
            MaxRegisteredPeers = settings.Seed.MaxPeers,
            MaxSessions = settings.Seed.MaxPeers + settings.Seed.MaxPeers / 10,
            Relay = settings.Seed.Turn.ToRelayOptions(),
        };
        cluster = settings.Seed.Cluster.Enabled ? Context.ActorOf(SeedClusterActor.Props(), "cluster") : null;
        server = Context.ActorOf(SeedServerActor.Props(identity, options, transport, cluster), "server");
        Receive<SeedWhoAmI>(_ => Sender.Tell(new SeedIdentityView(
            Convert.ToHexStringLower(identity.PublicKey.Span), identity.Address, identity.Hash.ToString(), loaded.Encrypted, store.KeyFilePath)));
        ReceiveAsync<GetSeedStatus>(async _ =>
        {
            var sender = Sender;
            var transportStatus = await transport.Ask<TransportStatus>(GetTransportStatus.Instance, AskTimeout);
            var serverStatus = await server.Ask<SeedServerStatus>(GetSeedServerStatus.Instance, AskTimeout);
            var clusterStatus = cluster is null ? null : await cluster.Ask<SeedClusterStatus>(GetSeedClusterStatus.Instance, AskTimeout);
            sender.Tell(new SeedStatus(identity.Address, identity.Hash.ToString(), DateTimeOffset.UtcNow - startedAt, settings.DataDir, transportStatus, serverStatus) { Cluster = clusterStatus });
        });
    }

    public static Props Props(PypeSettings settings, IdentityStore store, LoadedIdentity loaded, System.Net.Sockets.Socket socket) =>
        Akka.Actor.Props.Create(() => new SeedGuardian(settings, store, loaded, socket));

    /// <summary>The transport owns the socket and its receive thread, so it resumes, never
    /// restarts. The server restarts with an empty registry; nodes re-register on their next
    /// keep-alive cycle, which is better than serving from state a bug left inconsistent.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Sender.Equals(transport) ? Directive.Resume : Directive.Restart);
}
