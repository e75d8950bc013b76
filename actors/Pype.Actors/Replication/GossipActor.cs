using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Contacts;
using Pype.Core;
using Pype.Core.Contacts;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Session;

namespace Pype.Actors.Replication;

/// <summary>
/// Shell around <see cref="GossipEngine"/>: the node's replicas of the address book and the call
/// list, kept in step with its overlay neighbours. Starts from what the two stores recovered
/// (every item re-validated), journals what the engine accepts, and reports records learned and
/// calls found for this node. The replicas keep the node's own and its contacts' items before
/// strangers', so it learns the contacts before it starts (from the contacts actor, when given)
/// and follows their changes on the event stream.
/// Supervision: the replicas live only here and in the journal, so a restart (the guardian's
/// default) rebuilds them from the stores and re-validates every item; an item not yet
/// journalled is lost here but still held by the neighbours, who hand it back by anti-entropy.
/// </summary>
public sealed class GossipActor : SansIoShellActor, IWithUnboundedStash
{
    private readonly IdentityKeyPair identity;
    private readonly Configuration.ReplicationSettings settings;
    private readonly IActorRef addressBookStore;
    private readonly IActorRef callListStore;
    private readonly IActorRef? contacts;
    private readonly Dictionary<string, IReadOnlyList<byte[]>> recovered = [];
    private List<HashAddress>? knownContacts;

    private GossipEngine? engine;
    private int unjournalled;
    private IReadOnlyList<Candidate> ownCandidates;

    /// <summary>How long the replicas wait for the contact list before starting without it (a late list still applies).</summary>
    private static readonly TimeSpan ContactsWait = TimeSpan.FromSeconds(5);

    private sealed record ContactsWaitOver
    {
        public static readonly ContactsWaitOver Instance = new();
    }

    /// <param name="contacts">The contacts actor, asked once for the contact list before the replicas start; without it they start knowing no contacts.</param>
    public GossipActor(IdentityKeyPair identity, Configuration.ReplicationSettings settings, IReadOnlyList<Candidate> hostCandidates, IActorRef addressBookStore, IActorRef callListStore, IActorRef? contacts = null)
    {
        (this.identity, this.settings, this.addressBookStore, this.callListStore, this.contacts) = (identity, settings, addressBookStore, callListStore, contacts);
        ownCandidates = hostCandidates;
        if (contacts is null) knownContacts = [];
        // One behaviour (Become would drop the deadline handler of the base): until both stores
        // and the contacts have answered, every other message waits in the stash.
        Receive<StoredItems>(OnStoredItems);
        Receive<ContactsWaitOver>(_ =>
        {
            if (knownContacts is not null) return;
            knownContacts = [];
            StartWhenReady();
        });
        Receive<ContactsListing>(listing => OnContacts(listing.Contacts.Select(contact => HashAddress.TryParse(contact.HashHex, out var hash) ? hash : (HashAddress?)null).OfType<HashAddress>().ToList()));
        Receive<object>(_ => engine is null, _ => Stash.Stash());
        Running();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(IdentityKeyPair identity, Configuration.ReplicationSettings settings, IReadOnlyList<Candidate> hostCandidates, IActorRef addressBookStore, IActorRef callListStore, IActorRef? contacts = null) =>
        Akka.Actor.Props.Create(() => new GossipActor(identity, settings, hostCandidates, addressBookStore, callListStore, contacts));

    protected override DateTimeOffset? NextDeadline => engine?.NextDeadline;

    protected override void OnDeadline(DateTimeOffset now) => engine?.HandleTimeout(now);

    protected override void PreStart()
    {
        addressBookStore.Tell(GetStoredItems.Instance);
        callListStore.Tell(GetStoredItems.Instance);
        if (contacts is null) return;
        Context.System.EventStream.Subscribe(Self, typeof(ContactEvent));
        contacts.Tell(GetContacts.Instance);
        Timers.StartSingleTimer(ContactsWaitOver.Instance, ContactsWaitOver.Instance, ContactsWait);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        base.PostStop();
    }

    private void OnStoredItems(StoredItems items)
    {
        recovered[items.Store] = items.Items;
        StartWhenReady();
    }

    /// <summary>The contact list: before the start, what the recovered items are ranked by; after it, a fresh copy.</summary>
    private void OnContacts(List<HashAddress> hashes)
    {
        knownContacts = hashes;
        if (engine is null)
        {
            StartWhenReady();
            return;
        }

        engine.AddressBook.SetContacts(hashes);
        engine.CallList.SetContacts(hashes);
    }

    private void StartWhenReady()
    {
        if (recovered.Count < 2 || knownContacts is null || engine is not null) return;
        Feed(Start);
        Stash.UnstashAll();
    }

    private void OnContactChanged(ContactEvent change)
    {
        var (hashHex, added) = change switch
        {
            ContactAdded a => (a.HashHex, true),
            ContactRemoved r => (r.HashHex, false),
            _ => (null, false),
        };
        if (!HashAddress.TryParse(hashHex, out var hash)) return;
        if (added)
        {
            engine!.AddressBook.AddContact(hash);
            engine.CallList.AddContact(hash);
        }
        else
        {
            engine!.AddressBook.RemoveContact(hash);
            engine.CallList.RemoveContact(hash);
        }
    }

    private void Start(DateTimeOffset now)
    {
        var addressBook = new AddressBookReplica(new AddressBookLimits { Capacity = settings.AddressBookCapacity });
        var callList = new CallListReplica(new CallListLimits { Capacity = settings.CallListCapacity });
        // Before the recovered items go in, so a full replica restores contacts' items before strangers'.
        addressBook.TrustSelf(identity.Hash);
        addressBook.SetContacts(knownContacts ?? []);
        callList.TrustSelf(identity.Hash);
        callList.SetContacts(knownContacts ?? []);
        foreach (var encoded in recovered.GetValueOrDefault("address-book", [])) addressBook.Offer(now, encoded);
        foreach (var encoded in recovered.GetValueOrDefault("call-list", [])) callList.Offer(now, encoded);
        var options = GossipOptions.ForNode(settings.AntiEntropyInterval, settings.ItemsPerSecondPerLink);
        engine = new GossipEngine(identity, SystemRandomSource.Instance, now, options, addressBook, callList);
        Publish(now);
    }

    private void Running()
    {
        Receive<ContactEvent>(OnContactChanged);
        Receive<NeighbourUp>(up => Feed(now => engine!.NeighbourAdded(now, up.Peer)));
        Receive<NeighbourDown>(down => Feed(_ => engine!.NeighbourRemoved(down.Peer)));
        Receive<GossipReceived>(received => Feed(now => engine!.HandleMessage(now, received.Peer, received.Message)));
        Receive<OwnCandidatesChanged>(changed =>
        {
            ownCandidates = changed.Candidates;
            Feed(Publish);
        });
        Receive<GetBookSummary>(_ => Sender.Tell(new BookSummary(engine!.AddressBook.Count, GossipViews.Of(engine.AddressBook.Lookup(identity.Hash)))));
        Receive<LookupRecord>(lookup => Sender.Tell(new RecordLookup(lookup.Hash.ToString(), GossipViews.Of(engine!.AddressBook.Lookup(lookup.Hash)))));
        Receive<GetCallEntries>(_ => Sender.Tell(new CallEntriesView(engine!.OwnCallEntries.Select(GossipViews.Of).ToList())));
        Receive<PlaceCallInList>(place => Feed(now => Sender.Tell(Written(engine!.PlaceCall(now, place.CalleePublicKey, place.CallId, place.Offer)))));
        Receive<EndCallInList>(end => Feed(now => Sender.Tell(EndCall(now, end))));
        Receive<ItemStored>(_ => unjournalled = Math.Max(0, unjournalled - 1));
        Receive<GetGossipStatus>(_ => Sender.Tell(GossipViews.StatusOf(engine!, unjournalled)));
    }

    /// <summary>Hands an accepted item to its store; the store's <see cref="ItemStored"/> says when the journal has it.</summary>
    private void Journal(IActorRef store, byte[] encoded)
    {
        unjournalled++;
        store.Tell(new StoreItem(encoded));
    }

    private object EndCall(DateTimeOffset now, EndCallInList end) => Written(engine!.EndCall(now, end.CallId, end.How, end.Command));

    /// <summary>Journals the entry the engine wrote, and says so to whoever asked.</summary>
    private object Written(LocalCallChange change)
    {
        if (change is LocalCallChange.Deferred deferred) return new CallListEndDeferred(deferred.CallId.ToString("x32"));
        if (change is not LocalCallChange.Written { Entry: var entry }) return new CallListRefused(((LocalCallChange.Refused)change).Reason);
        Journal(callListStore, entry.Encoded.ToArray());
        return new CallListWritten(entry.CallId.ToString("x32"), entry.Kind);
    }

    private void Publish(DateTimeOffset now)
    {
        var record = engine!.PublishOwnRecord(now, ownCandidates, []);
        Journal(addressBookStore, record.Encoded.ToArray());
    }

    protected override void DrainOutputs()
    {
        if (engine is null) return;
        while (engine.PollSend() is { } send)
            Context.Parent.Tell(new SendGossip(send.Peer, send.Bytes));
        foreach (var key in engine.AddressBook.TakeEvicted()) addressBookStore.Tell(new ForgetItem(key.ToString()));
        foreach (var key in engine.CallList.TakeEvicted()) callListStore.Tell(new ForgetItem(key.ToString()));
        while (engine.PollEvent() is { } gossipEvent)
        {
            switch (gossipEvent)
            {
                case GossipEvent.RecordLearned learned:
                    Journal(addressBookStore, learned.Record.Encoded.ToArray());
                    Context.Parent.Tell(new RecordLearned(learned.Record.Hash.ToString(), learned.Record.Sequence, learned.Record.Candidates.Count));
                    break;
                case GossipEvent.CallEntryLearned entry:
                    Journal(callListStore, entry.Entry.Encoded.ToArray());
                    break;
                case GossipEvent.CallFound found:
                    Context.Parent.Tell(new Calls.CallInviteFound(found.Entry.CallId, found.Invite.CallerPublicKey.ToArray(), found.Invite.Offer.ToArray()));
                    break;
                case GossipEvent.CallEnded ended:
                    Context.Parent.Tell(new Calls.CallTombstoneFound(ended.Tombstone.CallId, HashAddress.FromPublicKey(ended.Tombstone.SignerPublicKey.Span), ended.Tombstone.Kind));
                    break;
            }
        }
    }
}
