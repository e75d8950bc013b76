using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Pype.Actors.Configuration;
using Pype.Actors.Contacts;
using Pype.Actors.Hosting;
using Pype.Actors.Storage;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Actors.Transport;
using Pype.Core.Seed;
using Pype.Core.Contacts;
using Pype.Core.Identity;

namespace Pype.Actors.Node;

/// <summary>
/// The root of a node: owns the identity, starts the node's actors from the settings and turns
/// console commands into messages to them. Protocol and domain rules live in Pype.Core.
/// </summary>
public sealed class NodeGuardian : ReceiveActor
{
    public const string Name = "node";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly PypeSettings settings;
    private readonly IdentityStore identityStore;
    private readonly string? passphrase;
    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly IActorRef contacts;
    private readonly IActorRef transport;
    private readonly System.Net.Sockets.Socket socket;
    private IActorRef? seedLink;
    private IActorRef? relay;
    private System.Net.IPEndPoint? serverReflexive;
    private System.Net.IPEndPoint? relayed;
    private IActorRef peers = ActorRefs.Nobody;
    private IActorRef gossip = ActorRefs.Nobody;
    private IActorRef calls = ActorRefs.Nobody;
    private readonly IActorRef addressBook;
    private readonly IActorRef callList;
    private IReadOnlyList<Pype.Core.Session.Candidate> hostCandidates = [];

    /// <summary>The replicated stores churn far more than contacts: snapshot less often.</summary>
    private const int ReplicaSnapshotEvery = 500;
    private int networkGeneration;
    private readonly HashSet<IActorRef> subscribers = [];
    private readonly Queue<NodeReply> recentEvents = new();
    private const int RecentEventsKept = 64;
    private IdentityKeyPair identity;
    private bool keyEncrypted;

    public NodeGuardian(PypeSettings settings, IdentityStore identityStore, LoadedIdentity loaded, string? passphrase, System.Net.Sockets.Socket socket)
    {
        this.settings = settings;
        this.identityStore = identityStore;
        this.passphrase = passphrase;
        identity = loaded.Identity;
        keyEncrypted = loaded.Encrypted;

        // A persistence failure stops the contacts actor; the back-off supervisor starts it again,
        // and it recovers from SQLite, without touching the rest of the node.
        transport = Context.ActorOf(UdpTransportActor.Props(socket), "transport");
        this.socket = socket;
        addressBook = Context.ActorOf(AddressBookActor.Props(ReplicaSnapshotEvery), "addressbook");
        callList = Context.ActorOf(CallListActor.Props(ReplicaSnapshotEvery), "calllist");
        StartNetwork();
        contacts = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(
            ContactsActor.Props(settings.Node.Contacts), "contacts",
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)), "contacts-supervisor");

        Receive<SubscribeNodeEvents>(s =>
        {
            // The network starts with the node, so a console that subscribes a moment later
            // first hears what it missed.
            foreach (var missed in recentEvents) s.Subscriber.Tell(missed);
            subscribers.Add(s.Subscriber);
            Context.Watch(s.Subscriber);
        });
        Receive<Terminated>(t => subscribers.Remove(t.ActorRef));
        Receive<WhoAmI>(_ => Sender.Tell(IdentityReply()));
        Receive<SeedLinkEventOccurred>(e =>
        {
            // Events from a seed link of an older identity are stale.
            if (!Sender.Equals(seedLink)) return;
            if (e.Event is RelayGrantReceived grant) relay?.Tell(grant);
            else peers.Forward(e);
        });
        Receive<Relay.RelayGrantWanted>(_ =>
        {
            if (Sender.Equals(relay)) seedLink?.Tell(RequestRelayGrant.Instance);
        });
        Receive<Relay.RelayedCandidateChanged>(changed =>
        {
            if (!Sender.Equals(relay)) return;
            relayed = changed.Relayed;
            seedLink?.Tell(new SetRelayedCandidate(relayed));
            PublishOwnCandidates();
            // After the seed link: the seed must hold the new candidate before it introduces anyone.
            if (relayed is { } address) peers.Tell(new OwnRelayChanged(address));
        });
        Receive<ListPeers>(list => peers.Forward(list));
        Receive<ConnectToPeer>(connect => peers.Forward(connect));
        Receive<DisconnectPeer>(disconnect => peers.Forward(disconnect));
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
        ReceiveAsync<ListCalls>(ListCallsAsync);
        Receive<Calls.GetCallStats>(get => calls.Forward(get));
        Receive<EndCall>(end => calls.Forward(new Calls.ActOnCall(end.CallId, end.Action, end.Command)));
        ReceiveAsync<PlaceCall>(async place =>
        {
            var sender = Sender;
            if (await ResolvePublicKeyAsync(place.Target) is { } key) calls.Tell(new Calls.PlaceCallTo(key), sender);
            else sender.Tell(new CommandFailed("call", $"'{place.Target}' is neither a contact nor an address"));
        });
        ReceiveAsync<ShowBook>(ShowBookAsync);
        Receive<RegisteredAtSeed>(registered =>
        {
            if (System.Net.IPEndPoint.TryParse(registered.ServerReflexive ?? "", out var reflexive))
            {
                serverReflexive = reflexive;
                PublishOwnCandidates();
            }
            Publish(registered);
        });
        Receive<NodeReply>(nodeEvent => Publish(nodeEvent));
        ReceiveAsync<ListContacts>(async _ => Sender.Tell(await ListContactsAsync()));
        ReceiveAsync<AddContact>(AddContactAsync);
        ReceiveAsync<RemoveContact>(async remove => Sender.Tell(await ChangeContactAsync("remove", new RemoveContactCommand(remove.NameOrHash))));
        ReceiveAsync<RenameContact>(async rename => Sender.Tell(await ChangeContactAsync("rename", new RenameContactCommand(rename.NameOrHash, rename.NewName))));
        Receive<RotateKeys>(_ => Sender.Tell(Rotate()));
        ReceiveAsync<GetNodeStatus>(async _ => Sender.Tell(await StatusAsync()));
        ReceiveAsync<FlushNode>(async _ =>
        {
            await contacts.Ask<SnapshotFlushed>(FlushSnapshot.Instance, AskTimeout);
            Sender.Tell(new NodeFlushed());
        });
    }

    public static Props Props(PypeSettings settings, IdentityStore store, LoadedIdentity loaded, string? passphrase, System.Net.Sockets.Socket socket) =>
        Akka.Actor.Props.Create(() => new NodeGuardian(settings, store, loaded, passphrase, socket));

    /// <summary>The transport owns the socket and its receive thread: a restart would orphan
    /// both, so it resumes. Everything else restarts and recovers its state.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(ex => Sender.Equals(transport) ? Directive.Resume : Directive.Restart);

    /// <summary>
    /// Starts the seed link and the peer list for the current identity. A key rotation starts
    /// them again (next generation of names), since every session is bound to the old key.
    /// </summary>
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
        }, transport), "seedlink" + suffix);
        // Only a seed hands out TURN servers, so without one there is nothing to allocate on.
        relay = seedLink is null ? null : Context.ActorOf(Relay.RelayActor.Props(transport), "relay" + suffix);
        serverReflexive = relayed = null;
        peers = Context.ActorOf(PeerListActor.Props(identity, settings.Node, transport, seedLink), "peers" + suffix);
        calls = Context.ActorOf(Calls.CallManagerActor.Props(identity, settings.Node.Calls, settings.Media, peers, gossip), "calls" + suffix);
    }

    private void StopNetwork()
    {
        if (seedLink is not null) Context.Stop(seedLink);
        if (relay is not null) Context.Stop(relay);
        Context.Stop(calls);
        Context.Stop(peers);
        Context.Stop(gossip);
    }

    /// <summary>Host, server-reflexive, then relayed: the order peers try them in, for the gossiped record.</summary>
    private void PublishOwnCandidates()
    {
        List<Pype.Core.Session.Candidate> own = [.. hostCandidates];
        if (serverReflexive is { } reflexive) own.Add(new(Pype.Core.Session.CandidateKind.ServerReflexive, reflexive));
        if (relayed is { } relayedAddress && own.Count < Pype.Core.Session.CandidateCodec.MaxCandidates)
            own.Add(new(Pype.Core.Session.CandidateKind.Relayed, relayedAddress));
        gossip.Tell(new OwnCandidatesChanged(own));
    }

    private async Task ListCallsAsync(ListCalls _)
    {
        var sender = Sender;
        var live = await calls.Ask<Calls.LiveCalls>(Calls.GetLiveCalls.Instance, AskTimeout);
        var entries = await gossip.Ask<CallEntriesView>(GetCallEntries.Instance, AskTimeout);
        sender.Tell(new CallsView(live.Calls, entries.Entries));
    }

    /// <summary>Hands an unsolicited event (network, later calls) to every subscriber.</summary>
    private void Publish(NodeReply nodeEvent)
    {
        // Per-second statistics are for whoever listens now; replaying them would push out the
        // events a late subscriber actually needs.
        if (nodeEvent is not CallStatsTick)
        {
            recentEvents.Enqueue(nodeEvent);
            if (recentEvents.Count > RecentEventsKept) recentEvents.Dequeue();
        }
        foreach (var subscriber in subscribers) subscriber.Tell(nodeEvent);
    }

    /// <summary>A contact's name (or hash prefix) or a Pype address, to the public key.</summary>
    private async Task<byte[]?> ResolvePublicKeyAsync(string target)
    {
        if (PypeAddress.Parse(target) is AddressParseResult.Ok ok) return ok.PublicKey;
        var listing = await contacts.Ask<ContactsListing>(GetContacts.Instance, AskTimeout);
        return ContactBook.FromContacts(listing.Contacts).Find(target)?.PublicKey;
    }

    private async Task ShowBookAsync(ShowBook show)
    {
        var sender = Sender;
        if (show.Query is not { } query)
        {
            gossip.Tell(GetBookSummary.Instance, sender);
            return;
        }
        HashAddress? hash = null;
        if (HashAddress.TryParse(query, out var parsedHash)) hash = parsedHash;
        else if (PypeAddress.Parse(query) is AddressParseResult.Ok ok) hash = HashAddress.FromPublicKey(ok.PublicKey);
        else
        {
            var listing = await contacts.Ask<ContactsListing>(GetContacts.Instance, AskTimeout);
            if (ContactBook.FromContacts(listing.Contacts).Find(query) is { } contact && HashAddress.TryParse(contact.HashHex, out var contactHash))
                hash = contactHash;
        }
        if (hash is { } found) gossip.Tell(new LookupRecord(found), sender);
        else sender.Tell(new CommandFailed("book", $"'{query}' is not a contact, an address or a 64-digit hash"));
    }

    private IdentityView IdentityReply() =>
        new("node", identity.Address, identity.Hash.ToString(), keyEncrypted, identityStore.KeyFilePath);

    private async Task AddContactAsync(AddContact add)
    {
        var sender = Sender;
        var parsed = PypeAddress.Parse(add.Address);
        if (parsed is not AddressParseResult.Ok { PublicKey: var publicKey })
        {
            sender.Tell(new CommandFailed("add", ((AddressParseResult.Failed)parsed).Message));
            return;
        }
        var hash = HashAddress.FromPublicKey(publicKey);
        sender.Tell(await ChangeContactAsync("add", new AddContactCommand(publicKey, hash.ToString(), add.Name, identity.Hash.ToString())));
    }

    private async Task<NodeReply> ChangeContactAsync(string command, IContactsCommand change)
    {
        try
        {
            return await contacts.Ask<object>(change, AskTimeout) switch
            {
                ContactChangeAccepted { Event: ContactAdded, Contact: { } added } => new ContactAddedReply(View(added)),
                ContactChangeAccepted { Event: ContactRemoved, Previous: { } removed } => new ContactRemovedReply(removed.Name, removed.HashHex),
                ContactChangeAccepted { Event: ContactRenamed, Previous: { } before, Contact: { } after } => new ContactRenamedReply(before.Name, View(after)),
                ContactChangeRefused refused => new CommandFailed(command, refused.Reason),
                var other => new CommandFailed(command, $"unexpected answer {other.GetType().Name}"),
            };
        }
        catch (AskTimeoutException)
        {
            return new CommandFailed(command, "the contact list did not answer in time (is the database reachable?)");
        }
    }

    private async Task<NodeReply> ListContactsAsync()
    {
        try
        {
            var listing = await contacts.Ask<ContactsListing>(GetContacts.Instance, AskTimeout);
            return new ContactsView(listing.Contacts.Select(View).ToList());
        }
        catch (AskTimeoutException)
        {
            return new CommandFailed("contacts", "the contact list did not answer in time");
        }
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
            var rotated = new KeysRotated(identity.Address, identity.Hash.ToString(), previous, archivedTo);
            log.Info("Identity rotated from {0} to {1}", previous, rotated.Hash);
            return rotated;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CommandFailed("newkeys", $"could not write the new key file: {ex.Message}; the old identity stays active");
        }
    }

    private async Task<NodeReply> StatusAsync()
    {
        ContactsStatus? contactsStatus = null;
        try { contactsStatus = await contacts.Ask<ContactsStatus>(GetContactsStatus.Instance, AskTimeout); }
        catch (AskTimeoutException) { }
        var transportStatus = await transport.Ask<TransportStatus>(GetTransportStatus.Instance, AskTimeout);
        var peersStatus = await peers.Ask<PeerListStatus>(GetPeerListStatus.Instance, AskTimeout);
        var seedLinkView = seedLink is null ? null : await seedLink.Ask<SeedLinkView>(GetSeedLinkView.Instance, AskTimeout);
        var relayView = relay is null ? null : await relay.Ask<Relay.RelayView>(Relay.GetRelayView.Instance, AskTimeout);
        GossipStatus? gossipStatus = null;
        try { gossipStatus = await gossip.Ask<GossipStatus>(GetGossipStatus.Instance, AskTimeout); }
        catch (AskTimeoutException) { }
        var database = AkkaConfig.DatabasePath(settings);
        return new NodeStatus(
            identity.Address,
            identity.Hash.ToString(),
            DateTimeOffset.UtcNow - startedAt,
            settings.DataDir,
            database,
            File.Exists(database) ? new FileInfo(database).Length : 0,
            keyEncrypted,
            contactsStatus?.Count ?? -1,
            contactsStatus?.LastSequenceNr ?? -1,
            contactsStatus?.EventsSinceSnapshot ?? -1,
            contactsStatus?.LastSnapshotAt,
            settings.Seed.Enabled,
            transportStatus,
            peersStatus,
            seedLinkView,
            gossipStatus,
            relayView);
    }

    private static ContactView View(Contact contact) =>
        new(contact.Name, contact.HashHex, PypeAddress.Encode(contact.PublicKey), contact.AddedAt);
}
