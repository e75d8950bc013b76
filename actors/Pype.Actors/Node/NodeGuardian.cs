using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Pype.Actors.Configuration;
using Pype.Actors.Contacts;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Actors.Storage;
using Pype.Actors.Transport;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Session;

namespace Pype.Actors.Node;

/// <summary>
/// The root of a node: owns the identity, starts the node's actors from the settings, relays
/// between them (seed link and relay; peer list, gossip and calls). It never waits: console
/// commands go on to the <see cref="NodeCommandsActor"/> with the current parts, and events to
/// the <see cref="NodeEventsActor"/>, so a silent part holds up no relay.
/// Supervision: the transport owns the socket and its receive thread, which a restart would
/// orphan, so it resumes; every other child restarts and recovers its own state (the contact
/// list behind a back-off supervisor, since a persistence failure stops it; the replicas from
/// SQLite; the commands actor holds none). A key rotation stops the network actors and starts
/// them again under new names, since every session is bound to the old key.
/// </summary>
public sealed class NodeGuardian : ReceiveActor
{
    public const string Name = "node";
    /// <summary>The replicated stores churn far more than contacts: snapshot less often.</summary>
    private const int ReplicaSnapshotEvery = 500;

    private readonly PypeSettings settings;
    private readonly IdentityStore identityStore;
    private readonly string? passphrase;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly System.Net.Sockets.Socket socket;
    private readonly IActorRef transport, addressBook, callList, contacts, commands, events;
    private readonly Pype.Core.Noise.HandshakeClock handshakeClock;
    private IActorRef peers = ActorRefs.Nobody, gossip = ActorRefs.Nobody, calls = ActorRefs.Nobody;
    private IActorRef? seedLink, relay;
    private System.Net.IPEndPoint? serverReflexive, relayed;
    private IReadOnlyList<Candidate> hostCandidates = [];
    private int networkGeneration;
    private IdentityKeyPair identity;
    private bool keyEncrypted;

    public NodeGuardian(PypeSettings settings, IdentityStore identityStore, LoadedIdentity loaded, string? passphrase, System.Net.Sockets.Socket socket, TimeSpan answerTimeout)
    {
        (this.settings, this.identityStore, this.passphrase, this.socket) = (settings, identityStore, passphrase, socket);
        (identity, keyEncrypted) = (loaded.Identity, loaded.Encrypted);
        handshakeClock = HandshakeClockFile.Open(settings.DataDir, log);
        transport = Context.ActorOf(UdpTransportActor.Props(socket), "transport");
        addressBook = Context.ActorOf(AddressBookActor.Props(ReplicaSnapshotEvery), "addressbook");
        callList = Context.ActorOf(CallListActor.Props(ReplicaSnapshotEvery), "calllist");
        StartNetwork();
        contacts = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(
            ContactsActor.Props(settings.Node.Contacts), "contacts",
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)), "contacts-supervisor");
        commands = Context.ActorOf(NodeCommandsActor.Props(settings, DateTimeOffset.UtcNow, answerTimeout), "commands");
        events = Context.ActorOf(NodeEventsActor.Props(), "events");

        Receive<SubscribeNodeEvents>(subscribe => events.Forward(subscribe));
        Receive<SeedLinkEventOccurred>(e =>
        {
            // Events from a seed link of an older identity are stale.
            if (!Sender.Equals(seedLink)) return;
            if (e.Event is RelayGrantReceived grant) relay?.Tell(grant);
            else peers.Forward(e);
        });
        Receive<Relay.RelayGrantWanted>(_ => { if (Sender.Equals(relay)) seedLink?.Tell(RequestRelayGrant.Instance); });
        Receive<Relay.RelayedCandidateChanged>(changed =>
        {
            if (!Sender.Equals(relay)) return;
            relayed = changed.Relayed;
            seedLink?.Tell(new SetRelayedCandidate(relayed));
            PublishOwnCandidates();
            // After the seed link: the seed must hold the new candidate before it introduces anyone.
            if (relayed is { } address) peers.Tell(new OwnRelayChanged(address));
        });
        Receive<NeighbourUp>(m => { if (Sender.Equals(peers)) gossip.Forward(m); });
        Receive<NeighbourDown>(m =>
        {
            if (!Sender.Equals(peers)) return;
            gossip.Forward(m);
            calls.Forward(m);
        });
        Receive<GossipReceived>(m => { if (Sender.Equals(peers)) gossip.Forward(m); });
        Receive<SendGossip>(m => { if (Sender.Equals(gossip)) peers.Forward(m); });
        Receive<Calls.CallSignalReceived>(m => { if (Sender.Equals(peers)) calls.Forward(m); });
        Receive<Calls.MediaReceivedFromPeer>(m => { if (Sender.Equals(peers)) calls.Forward(m); });
        Receive<Calls.CallInviteFound>(m => { if (Sender.Equals(gossip)) calls.Forward(m); });
        Receive<Calls.CallTombstoneFound>(m => { if (Sender.Equals(gossip)) calls.Forward(m); });
        Receive<RegisteredAtSeed>(registered =>
        {
            if (System.Net.IPEndPoint.TryParse(registered.ServerReflexive ?? "", out var reflexive))
            {
                serverReflexive = reflexive;
                PublishOwnCandidates();
            }
            events.Forward(registered);
        });
        Receive<NodeReply>(nodeEvent => events.Forward(nodeEvent));
        Receive<WhoAmI>(_ => Sender.Tell(new IdentityView("node", identity.Address, identity.Hash.ToString(), keyEncrypted, identityStore.KeyFilePath)));
        Receive<RotateKeys>(_ => Sender.Tell(Rotate()));
        Receive<INodeCommand>(command => commands.Forward(new CommandForParts(command, new NodeParts(
            identity, keyEncrypted, transport, contacts, peers, gossip, calls, seedLink, relay))));
    }

    /// <param name="answerTimeout">How long a console command waits for each part it asks.</param>
    public static Props Props(PypeSettings settings, IdentityStore store, LoadedIdentity loaded, string? passphrase, System.Net.Sockets.Socket socket, TimeSpan? answerTimeout = null) =>
        Akka.Actor.Props.Create(() => new NodeGuardian(settings, store, loaded, passphrase, socket, answerTimeout ?? TimeSpan.FromSeconds(10)));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(ex => Sender.Equals(transport) ? Directive.Resume : Directive.Restart);

    /// <summary>Starts the gossip, seed link, relay, peer list and calls for the current identity.</summary>
    private void StartNetwork()
    {
        var suffix = networkGeneration++ == 0 ? "" : $"-{networkGeneration - 1}";
        hostCandidates = HostCandidates.For((System.Net.IPEndPoint)socket.LocalEndPoint!);
        gossip = Context.ActorOf(GossipActor.Props(identity, settings.Node.Replication, hostCandidates, addressBook, callList), "gossip" + suffix);
        seedLink = settings.Node.Seeds.Count == 0 ? null : Context.ActorOf(SeedLinkActor.Props(new SeedClientOptions
        {
            Identity = identity,
            Seeds = settings.Node.Seeds,
            HostCandidates = hostCandidates,
            KeepaliveInterval = settings.Node.KeepaliveInterval,
            HandshakeClock = handshakeClock,
        }, transport), "seedlink" + suffix);
        // Only a seed hands out TURN servers, so without one there is nothing to allocate on.
        relay = seedLink is null ? null : Context.ActorOf(Relay.RelayActor.Props(transport), "relay" + suffix);
        serverReflexive = relayed = null;
        peers = Context.ActorOf(PeerListActor.Props(identity, settings.Node, transport, seedLink, handshakeClock), "peers" + suffix);
        calls = Context.ActorOf(Calls.CallManagerActor.Props(identity, settings.Node.Calls, settings.Media, peers, gossip), "calls" + suffix);
    }

    private void StopNetwork()
    {
        foreach (var child in new[] { seedLink, relay, calls, peers, gossip })
            if (child is not null) Context.Stop(child);
    }

    /// <summary>Tells the gossip the candidates for its own record (<see cref="OwnCandidates.For"/>).</summary>
    private void PublishOwnCandidates()
    {
        gossip.Tell(new OwnCandidatesChanged(OwnCandidates.For(hostCandidates, serverReflexive, relayed)));
    }

    private NodeReply Rotate()
    {
        var previous = identity.Hash.ToString();
        try
        {
            var (next, archivedTo) = identityStore.Rotate(identity, passphrase);
            identity = next;
            keyEncrypted = passphrase is not null;
            StopNetwork();
            StartNetwork();
            log.Info("Identity rotated from {0} to {1}", previous, identity.Hash);
            return new KeysRotated(identity.Address, identity.Hash.ToString(), previous, archivedTo);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CommandFailed("newkeys", $"could not write the new key file: {ex.Message}; the old identity stays active");
        }
    }
}
