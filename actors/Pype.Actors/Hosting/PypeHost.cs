using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Pype.Actors.Configuration;
using Pype.Actors.Node;
using Pype.Actors.Seed;
using Pype.Actors.Storage;
using Pype.Core.Identity;

namespace Pype.Actors.Hosting;

/// <summary>The data directory is held by another running Pype process.</summary>
public sealed class DataDirectoryInUseException(string dataDir)
    : Exception($"another Pype process is using the data directory {dataDir}");

/// <summary>A configured UDP endpoint cannot be bound.</summary>
public sealed class ListenException(string key, System.Net.IPEndPoint endPoint, string problem)
    : Exception($"cannot listen on {endPoint} ({key}): {problem}");

/// <summary>
/// One running Pype process: checks the data directory, loads identities, starts the actor
/// system with the node and/or seed guardians and wires persistence flushing into coordinated
/// shutdown.
/// </summary>
public sealed class PypeHost : IAsyncDisposable
{
    private readonly FileStream dataDirectoryLock;

    private PypeHost(PypeSettings settings, ActorSystem system, IActorRef? node, IActorRef? seed, FileStream dataDirectoryLock, TimeSpan startupTime, IReadOnlyList<string> warnings, System.Net.IPEndPoint? nodeListen, System.Net.IPEndPoint? seedListen)
    {
        NodeListen = nodeListen;
        SeedListen = seedListen;
        Settings = settings;
        System = system;
        Node = node;
        Seed = seed;
        this.dataDirectoryLock = dataDirectoryLock;
        StartupTime = startupTime;
        Warnings = warnings;
    }

    public PypeSettings Settings { get; }
    public ActorSystem System { get; }
    public IActorRef? Node { get; }
    public IActorRef? Seed { get; }
    public TimeSpan StartupTime { get; }
    /// <summary>Where the node's and the seed's UDP sockets are bound, when they run.</summary>
    public System.Net.IPEndPoint? NodeListen { get; }
    public System.Net.IPEndPoint? SeedListen { get; }
    public IReadOnlyList<string> Warnings { get; }

    public Task WhenTerminated => System.WhenTerminated;

    /// <summary>Starts everything and returns once the node's state is recovered from SQLite.</summary>
    public static async Task<PypeHost> StartAsync(PypeSettings settings, Config pypeConfig, string? passphrase, Func<TimeSpan> sinceProcessStart)
    {
        var tightened = OwnerOnlyDataDirectory.Enforce(settings.DataDir);
        var dataLock = LockDataDirectory(settings.DataDir);
        ActorSystem? system = null;
        System.Net.Sockets.Socket? nodeSocket = null, seedSocket = null;
        try
        {
            DatabaseGuard.EnsureUsable(AkkaConfig.DatabasePath(settings));
            var cost = settings.Identity.KeyFileCost;
            var warnings = tightened.ToList();

            IdentityStore? nodeStore = null, seedStore = null;
            LoadedIdentity? nodeIdentity = null, seedIdentity = null;
            if (settings.Node.Enabled)
            {
                nodeStore = new IdentityStore(settings.DataDir, IdentityStore.NodeKeyFileName, cost);
                nodeIdentity = nodeStore.LoadOrCreate(passphrase);
                if (nodeIdentity.Warning is { } w) warnings.Add(w);
            }
            if (settings.Seed.Enabled)
            {
                seedStore = new IdentityStore(settings.DataDir, IdentityStore.SeedKeyFileName, cost);
                seedIdentity = seedStore.LoadOrCreate(passphrase);
                if (seedIdentity.Warning is { } w && !warnings.Contains(w)) warnings.Add(w);
            }

            if (settings.Node.Enabled) nodeSocket = BindOrExplain("pype.node.listen", settings.Node.Listen);
            if (settings.Seed.Enabled) seedSocket = BindOrExplain("pype.seed.listen", settings.Seed.Listen);
            var nodeListen = (System.Net.IPEndPoint?)nodeSocket?.LocalEndPoint;
            var seedListen = (System.Net.IPEndPoint?)seedSocket?.LocalEndPoint;
            settings = JoinSeedBeside(settings, seedListen, seedIdentity);

            system = ActorSystem.Create(AkkaConfig.SystemName, AkkaConfig.For(settings, pypeConfig));
            IActorRef? node = null, seed = null;
            if (seedStore is not null && seedIdentity is not null)
                seed = system.ActorOf(SeedGuardian.Props(settings, seedStore, seedIdentity, seedSocket!), SeedGuardian.Name);
            if (nodeStore is not null && nodeIdentity is not null)
            {
                node = system.ActorOf(NodeGuardian.Props(settings, nodeStore, nodeIdentity, passphrase, nodeSocket!), NodeGuardian.Name);
                await AwaitRecoveryAsync(node);
                RegisterFlushOnShutdown(system, node);
            }
            return new PypeHost(settings, system, node, seed, dataLock, sinceProcessStart(), warnings, nodeListen, seedListen);
        }
        catch
        {
            nodeSocket?.Dispose();
            seedSocket?.Dispose();
            if (system is not null) await system.Terminate();
            await dataLock.DisposeAsync();
            throw;
        }
    }

    public Task ShutdownAsync(CoordinatedShutdown.Reason? reason = null) =>
        CoordinatedShutdown.Get(System).Run(reason ?? CoordinatedShutdown.ClrExitReason.Instance);

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync();
        await System.WhenTerminated;
        await dataDirectoryLock.DisposeAsync();
    }

    private static async Task AwaitRecoveryAsync(IActorRef node)
    {
        // The status answer needs the contacts actor to have replayed its journal.
        var status = await node.Ask<NodeReply>(new GetNodeStatus(), TimeSpan.FromSeconds(30));
        if (status is NodeStatus { Contacts: < 0 })
            throw new InvalidOperationException("the contact list could not be read from the database");
    }

    private static void RegisterFlushOnShutdown(ActorSystem system, IActorRef node) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "flush-persistence", async () =>
        {
            try { await node.Ask<NodeReply>(new FlushNode(), TimeSpan.FromSeconds(5)); }
            catch (AskTimeoutException) { }
            return Akka.Done.Instance;
        });

    /// <summary>
    /// A node running beside a seed in one process, with no seeds of its own configured, joins
    /// that seed: what a person starting hocon/seed-and-node.conf expects.
    /// </summary>
    private static PypeSettings JoinSeedBeside(PypeSettings settings, IPEndPoint? seedListen, LoadedIdentity? seedIdentity)
    {
        if (!settings.Node.Enabled || settings.Node.Seeds.Count > 0 || seedListen is null || seedIdentity is null) return settings;
        var reachable = seedListen.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, seedListen.Port)
            : seedListen.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, seedListen.Port)
            : seedListen;
        var seed = new Pype.Core.Seed.SeedEndpoint(reachable, Pype.Core.Seed.PeerKey.Of(seedIdentity.Identity));
        return settings with { Node = settings.Node with { Seeds = [seed] } };
    }

    private static System.Net.Sockets.Socket BindOrExplain(string key, System.Net.IPEndPoint endPoint)
    {
        try { return Transport.UdpTransportActor.Bind(endPoint); }
        catch (System.Net.Sockets.SocketException ex) { throw new ListenException(key, endPoint, ex.Message); }
    }

    private static FileStream LockDataDirectory(string dataDir)
    {
        try
        {
            return new FileStream(Path.Combine(dataDir, "pype.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new DataDirectoryInUseException(dataDir);
        }
    }
}
