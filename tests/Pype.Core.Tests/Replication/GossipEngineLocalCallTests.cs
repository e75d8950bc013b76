using Pype.Core.Replication;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

/// <summary>The call-list changes a node makes itself, and the snapshot it asks of its first neighbour.</summary>
public sealed class GossipEngineLocalCallTests
{
    private const int Alice = 1;
    private const int Bob = 2;
    private const int Carol = 3;
    private static readonly UInt128 CallId = new(0x0123456789abcdef, 0x0123456789abcdef);

    [Fact]
    public void A_placed_call_is_written_pushed_to_every_neighbour_and_listed_among_our_own_entries()
    {
        var alice = Engine(Alice);
        alice.NeighbourAdded(Now, Peer(Bob).Hash);
        alice.NeighbourAdded(Now, Peer(Carol).Hash);

        var change = alice.PlaceCall(Now, Peer(Bob).PublicKey.Span, CallId, "v=0 offer"u8);

        var entry = Assert.IsType<LocalCallChange.Written>(change).Entry;
        Assert.Equal(CallEntryKind.Invite, entry.Kind);
        Assert.Equal(Peer(Bob).Hash, entry.Callee);
        Assert.Equal(2, Drain(alice).Count);
        Assert.Equal([entry.Key], alice.OwnCallEntries.Select(e => e.Key));
    }

    [Fact]
    public void Calling_yourself_is_refused_and_nothing_is_written_or_pushed()
    {
        var alice = Engine(Alice);
        alice.NeighbourAdded(Now, Peer(Bob).Hash);

        var change = alice.PlaceCall(Now, Peer(Alice).PublicKey.Span, CallId, "v=0 offer"u8);

        Assert.Equal("you cannot call yourself", Assert.IsType<LocalCallChange.Refused>(change).Reason);
        Assert.Equal(0, alice.CallList.Count);
        Assert.Empty(Drain(alice));
    }

    [Fact]
    public void Only_the_callee_may_answer_either_party_may_hang_up_and_an_ended_call_is_not_endable_again()
    {
        var (alice, bob) = (Engine(Alice), Engine(Bob));
        var invite = Invite(Alice, Bob, CallId);
        alice.LocalCallChanged(Now, invite);
        bob.LocalCallChanged(Now, invite);

        Assert.Empty(alice.EndableCalls(Now, CallEntryKind.Answered));
        Assert.Single(alice.EndableCalls(Now, CallEntryKind.HungUp));
        var answered = bob.EndCall(Now, Assert.Single(bob.EndableCalls(Now, CallEntryKind.Answered)), CallEntryKind.Answered);

        Assert.Equal(CallEntryKind.Answered, Assert.IsType<LocalCallChange.Written>(answered).Entry.Kind);
        Assert.Empty(bob.EndableCalls(Now, CallEntryKind.HungUp));
    }

    [Fact]
    public void An_answer_that_overtakes_its_invite_is_written_the_moment_the_invite_arrives_and_pushed_on()
    {
        var (alice, bob) = (Engine(Alice), Engine(Bob));
        alice.NeighbourAdded(Now, Peer(Bob).Hash);
        bob.NeighbourAdded(Now, Peer(Alice).Hash);
        bob.NeighbourAdded(Now, Peer(Carol).Hash);
        alice.PlaceCall(Now, Peer(Bob).PublicKey.Span, CallId, "v=0 offer"u8);
        var push = Assert.Single(Drain(alice));
        Drain(bob);

        // The caller's signal reached bob first: his answer finds no invite yet and waits for it.
        var answered = bob.EndCall(Now, CallId.ToString("x32"), CallEntryKind.Answered, "call-manager");
        Assert.Equal(CallId, Assert.IsType<LocalCallChange.Deferred>(answered).CallId);
        Assert.Equal(1, bob.DeferredEnds);

        bob.HandleMessage(Now.AddMilliseconds(40), Peer(Alice).Hash, push.Bytes);

        var held = Assert.Single(bob.CallList.Entries);
        Assert.Equal(CallEntryKind.Answered, held.Kind);
        Assert.Equal(0, bob.DeferredEnds);
        // The tombstone goes to alice and carol (carol also gets the invite it replaces, forwarded as any new item).
        var sent = Drain(bob);
        Assert.Contains(sent, message => message.Peer == Peer(Alice).Hash);
        Assert.Equal(2, sent.Count(message => message.Peer == Peer(Carol).Hash));
        var events = new List<GossipEvent>();
        while (bob.PollEvent() is { } gossipEvent) events.Add(gossipEvent);
        Assert.DoesNotContain(events, e => e is GossipEvent.CallFound);
        Assert.Contains(events, e => e is GossipEvent.CallEntryLearned { Entry.Kind: CallEntryKind.Answered });
    }

    [Fact]
    public void Only_a_full_call_id_waits_for_its_invite_and_no_more_than_the_bound_wait()
    {
        var bob = Engine(Bob);

        Assert.IsType<LocalCallChange.Refused>(bob.EndCall(Now, CallId.ToString("x32")[..8], CallEntryKind.Answered, "answer"));
        Assert.IsType<LocalCallChange.Refused>(bob.EndCall(Now, null, CallEntryKind.HungUp, "hangup"));
        for (var i = 0; i < GossipEngine.MaxDeferredEnds; i++)
            Assert.IsType<LocalCallChange.Deferred>(bob.EndCall(Now, ((UInt128)i).ToString("x32"), CallEntryKind.HungUp, "call-manager"));
        Assert.IsType<LocalCallChange.Refused>(bob.EndCall(Now, CallId.ToString("x32"), CallEntryKind.HungUp, "call-manager"));
        // Once they are past an invite's lifetime they make room.
        Assert.IsType<LocalCallChange.Deferred>(bob.EndCall(Now + CallListEntry.DefaultLifetime, CallId.ToString("x32"), CallEntryKind.HungUp, "call-manager"));
        Assert.Equal(1, bob.DeferredEnds);
    }

    [Fact]
    public void An_expired_invite_is_not_endable()
    {
        var bob = Engine(Bob);
        bob.LocalCallChanged(Now, Invite(Alice, Bob, CallId));

        Assert.Empty(bob.EndableCalls(Now + CallListEntry.DefaultLifetime, CallEntryKind.Rejected));
    }

    [Fact]
    public void A_joining_node_asks_only_its_first_neighbour_for_a_snapshot_when_told_to()
    {
        var joining = Engine(Alice, new GossipOptions { SnapshotFromFirstNeighbour = true });
        var quiet = Engine(Carol);

        joining.NeighbourAdded(Now, Peer(Bob).Hash);
        joining.NeighbourAdded(Now, Peer(Carol).Hash);
        quiet.NeighbourAdded(Now, Peer(Bob).Hash);

        // newPeerRequest, then the root digests of both stores that earn the answers their budget.
        var sent = Drain(joining);
        Assert.All(sent, message => Assert.Equal(Peer(Bob).Hash, message.Peer));
        var messages = sent.Select(message => GossipCodec.TryDecode(message.Bytes, out var decoded) ? decoded : null).ToList();
        Assert.IsType<GossipMessage.NewPeerRequest>(messages[0]);
        Assert.Equal([GossipStore.AddressBook, GossipStore.CallList], messages.Skip(1).Select(m => Assert.IsType<GossipMessage.Digest>(m).Store));
        Assert.Empty(Drain(quiet));
    }

    private static GossipEngine Engine(int identity, GossipOptions? options = null) =>
        new(Peer(identity), new Support.SeededRandomSource(identity), Now, options);

    private static List<OutgoingGossip> Drain(GossipEngine engine)
    {
        var sent = new List<OutgoingGossip>();
        while (engine.PollSend() is { } message) sent.Add(message);
        return sent;
    }
}
