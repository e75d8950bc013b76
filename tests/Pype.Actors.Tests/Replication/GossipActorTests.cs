using System.Net;
using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Node;
using Pype.Actors.Replication;
using Pype.Core;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Session;
using Xunit;

namespace Pype.Actors.Tests.Replication;

/// <summary>
/// The gossip shell between its real stores (SQLite journals) and a neighbour that is a real
/// <see cref="GossipEngine"/> the test carries messages for; the actor's parent is the test.
/// </summary>
public class GossipActorTests : PersistenceTestKit
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyList<Candidate> HostCandidates = [new(CandidateKind.Host, IPEndPoint.Parse("10.0.0.1:4000"))];
    private readonly IdentityKeyPair alice = IdentityKeyPair.Generate();
    private readonly IdentityKeyPair bobKey = IdentityKeyPair.Generate();
    private readonly GossipEngine bob;
    private IActorRef addressBook = ActorRefs.Nobody, callList = ActorRefs.Nobody;

    public GossipActorTests() => bob = new GossipEngine(bobKey, SystemRandomSource.Instance, DateTimeOffset.UtcNow);

    [Fact]
    public void A_new_neighbour_is_asked_for_a_snapshot_and_a_record_it_pushes_is_learned_journalled_and_recovered()
    {
        var gossip = StartGossip();
        gossip.Tell(new NeighbourUp(bob.Self));
        var request = Next<SendGossip>(send => send.Peer == bob.Self);
        Assert.True(GossipCodec.TryDecode(request.Message, out var message));
        Assert.IsType<GossipMessage.NewPeerRequest>(message);

        bob.NeighbourAdded(DateTimeOffset.UtcNow, alice.Hash);
        bob.PublishOwnRecord(DateTimeOffset.UtcNow, HostCandidates, []);
        CarryFromBob(gossip);

        Next<RecordLearned>(learned => learned.Hash == bob.Self.ToString());
        AwaitCondition(() =>
        {
            gossip.Tell(GetGossipStatus.Instance);
            return Next<GossipStatus>(_ => true).Unjournalled == 0;
        }, LongWait);
        StopAll(gossip);

        var again = StartGossip();
        again.Tell(new LookupRecord(bob.Self));
        Assert.NotNull(Next<RecordLookup>(lookup => lookup.Hash == bob.Self.ToString()).Record);
    }

    [Fact]
    public void A_call_placed_in_the_list_is_listed_refused_to_answer_by_its_caller_and_hung_up_once()
    {
        var gossip = StartGossip();
        var callId = (UInt128)0xabcdef;

        gossip.Tell(new PlaceCallInList(alice.PublicKey.ToArray(), callId, [1]));
        Assert.Equal("you cannot call yourself", Next<CallListRefused>(_ => true).Reason);
        gossip.Tell(new PlaceCallInList(bobKey.PublicKey.ToArray(), callId, [1]));
        Assert.Equal(CallEntryKind.Invite, Next<CallListWritten>(_ => true).Kind);
        gossip.Tell(GetCallEntries.Instance);
        Assert.Equal("invite", Assert.Single(Next<CallEntriesView>(_ => true).Entries).Kind);

        gossip.Tell(new EndCallInList(null, CallEntryKind.Answered, "answer"));
        Assert.Equal("no ringing call in the call list to answer", Next<CallListRefused>(_ => true).Reason);
        gossip.Tell(new EndCallInList(callId.ToString("x32")[..8], CallEntryKind.HungUp, "hangup"));
        Assert.Equal(CallEntryKind.HungUp, Next<CallListWritten>(_ => true).Kind);
        gossip.Tell(new EndCallInList(null, CallEntryKind.HungUp, "hangup"));
        Next<CallListRefused>(_ => true);
    }

    [Fact]
    public void An_invite_and_its_tombstone_from_a_neighbour_reach_the_parent_as_a_call_found_and_ended()
    {
        var gossip = StartGossip();
        gossip.Tell(new NeighbourUp(bob.Self));
        bob.NeighbourAdded(DateTimeOffset.UtcNow, alice.Hash);
        var callId = (UInt128)0x1234;

        var invite = Assert.IsType<LocalCallChange.Written>(bob.PlaceCall(DateTimeOffset.UtcNow, alice.PublicKey.Span, callId, "offer"u8)).Entry;
        CarryFromBob(gossip);
        var found = Next<Pype.Actors.Calls.CallInviteFound>(f => f.CallId == callId);
        Assert.Equal(bobKey.PublicKey.ToArray(), found.CallerPublicKey);
        Assert.Equal("offer"u8.ToArray(), found.Offer);

        bob.EndCall(DateTimeOffset.UtcNow, invite, CallEntryKind.HungUp);
        CarryFromBob(gossip);
        var ended = Next<Pype.Actors.Calls.CallTombstoneFound>(t => t.CallId == callId);
        Assert.Equal(bob.Self, ended.Signer);
        Assert.Equal(CallEntryKind.HungUp, ended.Kind);
    }

    /// <summary>
    /// The replicas start only once the contacts answer, and follow contact changes on the event
    /// stream: a full book (our record and a stranger's) takes a new contact's record in place of the stranger's.
    /// </summary>
    [Fact]
    public void A_contact_added_after_the_start_gets_its_record_into_a_full_book_in_place_of_a_strangers()
    {
        var contacts = CreateTestProbe();
        var gossip = StartGossip(contacts.Ref, addressBookCapacity: 2);
        contacts.ExpectMsg<Pype.Actors.Contacts.GetContacts>();
        gossip.Tell(GetGossipStatus.Instance);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        contacts.Reply(new Pype.Actors.Contacts.ContactsListing([]));
        Next<GossipStatus>(_ => true);

        var now = DateTimeOffset.UtcNow;
        gossip.Tell(new NeighbourUp(bob.Self));
        bob.NeighbourAdded(now, alice.Hash);
        var stranger = IdentityKeyPair.Generate();
        bob.LocalRecordChanged(now, AddressBookRecord.Create(stranger, 1, now + TimeSpan.FromHours(1), HostCandidates, []));
        CarryFromBob(gossip);
        Next<RecordLearned>(learned => learned.Hash == stranger.Hash.ToString());

        Sys.EventStream.Publish(new Pype.Core.Contacts.ContactAdded("bob", bobKey.PublicKey.ToArray(), bob.Self.ToString(), now));
        bob.PublishOwnRecord(now, HostCandidates, []);
        CarryFromBob(gossip);
        Next<RecordLearned>(learned => learned.Hash == bob.Self.ToString());
        gossip.Tell(new LookupRecord(stranger.Hash));
        Assert.Null(Next<RecordLookup>(lookup => lookup.Hash == stranger.Hash.ToString()).Record);

        // The durable store forgets the evicted record too, so it stays the replica's size.
        addressBook.Tell(GetStoredItems.Instance);
        var stored = Next<StoredItems>(_ => true).Items.Select(encoded => AddressBookRecordCodec.TryDecode(encoded, out var r) ? r.Hash : default).ToList();
        Assert.Contains(bob.Self, stored);
        Assert.DoesNotContain(stranger.Hash, stored);
        gossip.Tell(GetGossipStatus.Instance);
        Assert.Equal(1, Next<GossipStatus>(_ => true).Refused!["address-book-evicted"]);
    }

    private IActorRef StartGossip(IActorRef? contacts = null, int? addressBookCapacity = null)
    {
        var (settings, _) = SettingsLoader.Load([], new Dictionary<string, string> { ["pype.data-dir"] = DataDir }, _ => null);
        var replication = settings.Node.Replication with { AddressBookCapacity = addressBookCapacity ?? settings.Node.Replication.AddressBookCapacity };
        addressBook = Sys.ActorOf(AddressBookActor.Props(1000));
        callList = Sys.ActorOf(CallListActor.Props(1000));
        return ChildActorOf(GossipActor.Props(alice, replication, HostCandidates, addressBook, callList, contacts));
    }

    private void StopAll(IActorRef gossip)
    {
        foreach (var actor in new[] { gossip, addressBook, callList }) Stop(actor);
    }

    /// <summary>Hands everything the neighbour's engine has to send to the actor.</summary>
    private void CarryFromBob(IActorRef gossip)
    {
        while (bob.PollSend() is { } send)
            if (send.Peer == alice.Hash) gossip.Tell(new GossipReceived(bob.Self, send.Bytes));
    }

    /// <summary>The next message of type <typeparamref name="T"/> that matches, passing over the
    /// rest (anti-entropy rounds to the neighbour go on meanwhile).</summary>
    private T Next<T>(Func<T, bool> matches) => (T)FishForMessage(m => m is T t && matches(t), LongWait);
}
