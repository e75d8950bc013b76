using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Node;
using Pype.Actors.Storage;
using Pype.Actors.Transport;

namespace Pype.Actors.Seed;

/// <summary>
/// The root of a seed: owns the seed's identity (the key nodes pin in their configuration) and
/// its UDP socket, where STUN Binding requests are answered. It runs beside a node in the same
/// actor system when both are enabled. It never waits: a status is gathered by an
/// <see cref="AnswerGatherer"/> of its own, and a part that does not answer in time makes that
/// one status a <see cref="CommandFailed"/> (or leaves out the cluster's part).
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
            HandshakesPerSecondBeforeCookies = settings.Seed.HandshakesPerSecondBeforeCookies,
        };
        cluster = settings.Seed.Cluster.Enabled ? Context.ActorOf(SeedClusterActor.Props(), "cluster") : null;
        server = Context.ActorOf(SeedServerActor.Props(identity, options, transport, cluster), "server");
        Receive<SeedWhoAmI>(_ => Sender.Tell(new SeedIdentityView(
            Convert.ToHexStringLower(identity.PublicKey.Span), identity.Address, identity.Hash.ToString(), loaded.Encrypted, store.KeyFilePath)));
        // Gathered by a child of its own, so a slow part delays this one answer and no other message.
        Receive<GetSeedStatus>(_ =>
        {
            var (asker, uptime) = (Sender, DateTimeOffset.UtcNow - startedAt);
            var parts = cluster is null ? new[] { transport, server } : [transport, server, cluster];
            var gatherer = Context.ActorOf(AnswerGatherer.Props(parts.Length, AskTimeout, answers =>
            {
                var (transportStatus, serverStatus) = (answers.OfType<TransportStatus>().FirstOrDefault(), answers.OfType<SeedServerStatus>().FirstOrDefault());
                asker.Tell(transportStatus is null || serverStatus is null
                    ? new CommandFailed("status", $"the seed's {(transportStatus is null ? "transport" : "server")} did not answer within {AskTimeout.TotalSeconds:0} s")
                    : new SeedStatus(identity.Address, identity.Hash.ToString(), uptime, settings.DataDir, transportStatus, serverStatus) { Cluster = answers.OfType<SeedClusterStatus>().FirstOrDefault() });
            }));
            transport.Tell(GetTransportStatus.Instance, gatherer);
            server.Tell(GetSeedServerStatus.Instance, gatherer);
            cluster?.Tell(GetSeedClusterStatus.Instance, gatherer);
        });
    }

    public static Props Props(PypeSettings settings, IdentityStore store, LoadedIdentity loaded, System.Net.Sockets.Socket socket) =>
        Akka.Actor.Props.Create(() => new SeedGuardian(settings, store, loaded, socket));

    /// <summary>The transport owns the socket and its receive thread, so it resumes, never
    /// restarts. The server and cluster restart (the server with an empty registry; nodes
    /// re-register on their next keep-alive cycle, which is better than serving from state a bug
    /// left inconsistent). A status gatherer that throws is stopped: restarted, it would answer twice.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Sender.Equals(transport) ? Directive.Resume
            : Sender.Equals(server) || Sender.Equals(cluster) ? Directive.Restart : Directive.Stop);
}
