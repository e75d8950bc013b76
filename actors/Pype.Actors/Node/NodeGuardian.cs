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
using Pype.Core.Node;
using Pype.Core.Seed;

namespace Pype.Actors.Node;

/// <summary>
/// The root of a node: owns the identity, starts the node's actors from the settings, relays
/// between them (seed link and relay; peer list, gossip and calls). It never waits: console
/// commands go on to the <see cref="NodeCommandsActor"/> with the current parts, and events to
/// the <see cref="NodeEventsActor"/>, so a silent part holds up no relay.
/// Supervision: the transport owns the socket and its receive thread, and a restart would close
/// the socket for good, so it resumes; every other child restarts and recovers its own state (the
/// contact list behind a back-off supervisor, since a persistence failure stops it; the replicas
/// from SQLite; the commands actor holds none; the network actors start over from the settings).
/// The guardian itself answers to Akka's user guardian, which restarts what throws; but a
/// restarted guardian would find the socket its old transport closed, fail to start and be
/// stopped, so nothing here may throw: a key file that cannot be written is a reply, not a failure.
/// A key rotation stops the network actors (<see cref="NodeNetwork"/>) and starts them again under
/// new names, since every session is bound to the old key.
/// </summary>
public sealed class NodeGuardian : ReceiveActor
{
    public const string Name = "node";
    /// <summary>The replicated stores churn far more than contacts: snapshot less often.</summary>
    private const int ReplicaSnapshotEvery = 500;

    private readonly IdentityStore identityStore;
    private readonly string? passphrase;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly System.Net.Sockets.Socket socket;
    private readonly IActorRef transport, addressBook, callList, contacts, commands, events;
    private readonly NodeNetwork network;
    private readonly OwnAddresses own = new([]);
    private IdentityKeyPair identity;
    private Contacts.ContactSetChanged contactSet = new([]);
    private bool keyEncrypted;

    public NodeGuardian(PypeSettings settings, IdentityStore identityStore, LoadedIdentity loaded, string? passphrase, System.Net.Sockets.Socket socket, TimeSpan answerTimeout)
    {
        (this.identityStore, this.passphrase, this.socket) = (identityStore, passphrase, socket);
        (identity, keyEncrypted) = (loaded.Identity, loaded.Encrypted);
        transport = Context.ActorOf(UdpTransportActor.Props(socket), "transport");
        addressBook = Context.ActorOf(AddressBookActor.Props(ReplicaSnapshotEvery), "addressbook");
        callList = Context.ActorOf(CallListActor.Props(ReplicaSnapshotEvery), "calllist");
        // Before the network: the gossip asks the contacts which keys its replicas keep first.
        contacts = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(
            ContactsActor.Props(settings.Node.Contacts, listener: Self), "contacts",
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)), "contacts-supervisor");
        network = new NodeNetwork(settings, transport, addressBook, callList, contacts, HandshakeClockFile.Open(settings.DataDir, log));
        StartNetwork();
        commands = Context.ActorOf(NodeCommandsActor.Props(settings, DateTimeOffset.UtcNow, answerTimeout), "commands");
        events = Context.ActorOf(NodeEventsActor.Props(), "events");

        Receive<SubscribeNodeEvents>(subscribe => events.Forward(subscribe));
        Receive<Contacts.ContactSetChanged>(changed =>
        {
            contactSet = changed;
            network.Calls.Tell(changed);
            network.Peers.Tell(changed);
        });
        Receive<SeedLinkEventOccurred>(e =>
        {
            // Events from a seed link of an older identity are stale.
            if (!Sender.Equals(network.SeedLink)) return;
            if (e.Event is RelayGrantReceived grant) network.Relay?.Tell(grant);
            else network.Peers.Forward(e);
        });
        Receive<Relay.RelayGrantWanted>(_ => { if (Sender.Equals(network.Relay)) network.SeedLink?.Tell(RequestRelayGrant.Instance); });
        Receive<Relay.RelayedCandidateChanged>(changed =>
        {
            if (!Sender.Equals(network.Relay)) return;
            own.RelayedChanged(changed.Relayed);
            network.SeedLink?.Tell(new SetRelayedCandidate(changed.Relayed));
            PublishOwnCandidates();
            // After the seed link: the seed must hold the new candidate before it introduces anyone.
            if (changed.Relayed is { } address) network.Peers.Tell(new OwnRelayChanged(address));
        });
        Receive<NeighbourUp>(m => { if (Sender.Equals(network.Peers)) network.Gossip.Forward(m); });
        Receive<NeighbourDown>(m =>
        {
            if (!Sender.Equals(network.Peers)) return;
            network.Gossip.Forward(m);
            network.Calls.Forward(m);
        });
        Receive<GossipReceived>(m => { if (Sender.Equals(network.Peers)) network.Gossip.Forward(m); });
        Receive<SendGossip>(m => { if (Sender.Equals(network.Gossip)) network.Peers.Forward(m); });
        Receive<Calls.CallSignalReceived>(m => { if (Sender.Equals(network.Peers)) network.Calls.Forward(m); });
        Receive<Calls.MediaReceivedFromPeer>(m => { if (Sender.Equals(network.Peers)) network.Calls.Forward(m); });
        Receive<Calls.CallInviteFound>(m => { if (Sender.Equals(network.Gossip)) network.Calls.Forward(m); });
        Receive<Calls.CallTombstoneFound>(m => { if (Sender.Equals(network.Gossip)) network.Calls.Forward(m); });
        Receive<RegisteredAtSeed>(registered =>
        {
            if (own.RegisteredFrom(registered.ServerReflexive)) PublishOwnCandidates();
            events.Forward(registered);
        });
        Receive<NodeReply>(nodeEvent => events.Forward(nodeEvent));
        Receive<WhoAmI>(_ => Sender.Tell(new IdentityView("node", identity.Address, identity.Hash.ToString(), keyEncrypted, identityStore.KeyFilePath)));
        Receive<RotateKeys>(_ => Sender.Tell(Rotate()));
        Receive<INodeCommand>(command => commands.Forward(new CommandForParts(command, new NodeParts(
            identity, keyEncrypted, transport, contacts, network.Peers, network.Gossip, network.Calls, network.SeedLink, network.Relay))));
    }

    /// <param name="answerTimeout">How long a console command waits for each part it asks.</param>
    public static Props Props(PypeSettings settings, IdentityStore store, LoadedIdentity loaded, string? passphrase, System.Net.Sockets.Socket socket, TimeSpan? answerTimeout = null) =>
        Akka.Actor.Props.Create(() => new NodeGuardian(settings, store, loaded, passphrase, socket, answerTimeout ?? TimeSpan.FromSeconds(10)));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(ex => Sender.Equals(transport) ? Directive.Resume : Directive.Restart);

    /// <summary>Starts the network actors for the current identity, on the socket's host candidates and nothing learnt yet.</summary>
    private void StartNetwork()
    {
        own.Restart(HostCandidates.For((System.Net.IPEndPoint)socket.LocalEndPoint!));
        network.Start(Context, identity, own.Host);
        // A network started afresh (a new identity) keeps preferring the same contacts.
        network.Calls.Tell(contactSet);
        network.Peers.Tell(contactSet);
    }

    /// <summary>Tells the gossip the candidates for its own record.</summary>
    private void PublishOwnCandidates() => network.Gossip.Tell(new OwnCandidatesChanged(own.Candidates));

    private NodeReply Rotate()
    {
        var previous = identity.Hash.ToString();
        try
        {
            var (next, archivedTo) = identityStore.Rotate(identity, passphrase);
            identity = next;
            keyEncrypted = passphrase is not null;
            network.Stop(Context);
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
