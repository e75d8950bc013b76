using CsCheck;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

public sealed class GossipEngineTests(ITestOutputHelper output)
{
    private const int Alice = 1;
    private const int Bob = 2;
    private static readonly Lazy<AddressBookReplica> TenThousand = new(() => BookOf(Enumerable.Range(100_000, 10_000).Select(i => Record(i))));

    [Fact]
    public void A_published_record_is_pushed_to_every_neighbour_at_once()
    {
        var (alice, bob) = Pair();
        var carol = Engine(3);
        alice.NeighbourAdded(Now, carol.Self);

        alice.PublishOwnRecord(Now, Candidates, []);

        var peers = Drain(alice).Select(message => message.Peer).ToList();
        Assert.Equal(2, peers.Count);
        Assert.Equal(new HashSet<HashAddress> { bob.Self, carol.Self }, peers.ToHashSet());
    }

    [Fact]
    public void A_pushed_record_is_learned_and_forwarded_to_the_other_neighbours_only()
    {
        var (alice, bob) = Pair();
        var carol = Engine(3);
        bob.NeighbourAdded(Now, carol.Self);
        alice.PublishOwnRecord(Now, Candidates, []);

        foreach (var message in Drain(alice)) bob.HandleMessage(Now, alice.Self, message.Bytes);

        Assert.IsType<GossipEvent.RecordLearned>(bob.PollEvent());
        Assert.Equal([carol.Self], Drain(bob).Select(message => message.Peer));
    }

    [Fact]
    public void An_anti_entropy_round_between_replicas_in_sync_costs_under_a_kilobyte_with_ten_thousand_records()
    {
        var alice = Engine(Alice, addressBook: TenThousand.Value.Clone());
        var bob = Engine(Bob, addressBook: TenThousand.Value.Clone());
        Link(alice, bob);

        alice.HandleTimeout(alice.NextDeadline);
        var bytes = Exchange(alice, bob);

        output.WriteLine($"in-sync round over {alice.AddressBook.Count} records: {bytes} bytes in {alice.MessagesSent + bob.MessagesSent} messages");
        Assert.Equal(10_000, alice.AddressBook.Count);
        Assert.True(bytes < 1024, $"{bytes} bytes");
    }

    [Fact]
    public void Anti_entropy_alone_sends_only_what_differs()
    {
        var options = new GossipOptions { PushEnabled = false };
        var alice = Engine(Alice, options, TenThousand.Value.Clone());
        var bob = Engine(Bob, options, TenThousand.Value.Clone());
        Link(alice, bob);
        foreach (var i in Enumerable.Range(1, 5)) alice.LocalRecordChanged(Now, Record(200_000 + i));
        bob.LocalRecordChanged(Now, Record(100_000, sequence: 2));

        alice.HandleTimeout(alice.NextDeadline);
        var bytes = Exchange(alice, bob);

        output.WriteLine($"one round to reconcile 6 differences among 10,000 records: {bytes} bytes");
        Assert.Equal(ContentOf(alice.AddressBook), ContentOf(bob.AddressBook));
        Assert.Equal(10_005, bob.AddressBook.Count);
        Assert.True(bytes < 20_000, $"{bytes} bytes");
    }

    [Fact]
    public void A_joining_node_asks_a_neighbour_and_receives_the_whole_book()
    {
        var veteran = Engine(Alice, addressBook: BookOf(Enumerable.Range(100_000, 500).Select(i => Record(i))));
        var newcomer = Engine(Bob);
        Link(veteran, newcomer, fresh: true);

        newcomer.RequestSnapshot(veteran.Self);
        Exchange(newcomer, veteran);
        // New to each other, the veteran answers three times what the newcomer sent; the rest
        // follows as soon as the link is no longer new, within the byte budget's burst.
        Assert.InRange(newcomer.AddressBook.Count, 1, 499);
        var later = Now + veteran.Options.NewNeighbourAge;
        veteran.HandleTimeout(later);
        Exchange(newcomer, veteran);

        Assert.Equal(500, newcomer.AddressBook.Count);
    }

    [Fact]
    public void Gossip_from_a_peer_that_is_not_a_neighbour_is_dropped_and_counted()
    {
        var bob = Engine(Bob);

        bob.HandleMessage(Now, Peer(Alice).Hash, GossipCodec.Encode(new GossipMessage.Records(GossipStore.AddressBook, true, [Record(Alice).Encoded])));

        Assert.Equal(1, bob.DropCount(GossipDropReason.NotNeighbour));
        Assert.Equal(0, bob.AddressBook.Count);
    }

    [Fact]
    public void Records_beyond_a_neighbours_rate_are_dropped_and_counted()
    {
        var bob = Engine(Bob, new GossipOptions { ItemBurstPerLink = 3, ItemsPerSecondPerLink = 1 });
        bob.NeighbourAdded(Now, Peer(Alice).Hash);
        var flood = Enumerable.Range(300, 5).Select(i => Record(i).Encoded).ToList();

        bob.HandleMessage(Now, Peer(Alice).Hash, GossipCodec.Encode(new GossipMessage.Records(GossipStore.AddressBook, true, flood)));

        Assert.Equal(3, bob.AddressBook.Count);
        Assert.Equal(2, bob.DropCount(GossipDropReason.RateLimited));
    }

    [Fact]
    public void A_callee_finds_its_call_in_a_neighbours_list_and_the_caller_hears_it_answered()
    {
        var (alice, bob) = Pair();
        var invite = Invite(Alice, Bob, callId: 9);

        alice.LocalCallChanged(Now, invite);
        Exchange(alice, bob);

        Assert.Equal(invite.Key, Assert.IsType<GossipEvent.CallEntryLearned>(bob.PollEvent()).Entry.Key);
        var found = Assert.IsType<GossipEvent.CallFound>(bob.PollEvent());
        Assert.Equal(alice.Self, found.Source);
        Assert.Equal((UInt128)9, found.Invite.CallId);

        bob.LocalCallChanged(Now, CallListEntry.CreateTombstone(Peer(Bob), invite, CallEntryKind.Answered));
        Exchange(alice, bob);
        Assert.IsType<GossipEvent.CallEntryLearned>(alice.PollEvent());
        Assert.Equal(CallEntryKind.Answered, Assert.IsType<GossipEvent.CallEnded>(alice.PollEvent()).Tombstone.Kind);
    }

    [Fact]
    public void A_call_whose_invite_names_another_caller_rings_nobody_and_is_counted()
    {
        var (mallory, bob) = (Engine(3), Engine(Bob));
        Link(mallory, bob);
        var alices = Invite(Alice, Bob, callId: 9);
        var relabelled = CallListEntry.Sign(
            Peer(3), CallEntryKind.Invite, Peer(Bob).Hash, Peer(3).Hash, 9, Now, Now.AddSeconds(60), alices.SealedInvite.ToArray());

        mallory.LocalCallChanged(Now, relabelled);
        Exchange(mallory, bob);

        // The entry itself is valid for every replica (only the callee can open the invite), so
        // it is learned and stored, but it rings nobody.
        Assert.IsType<GossipEvent.CallEntryLearned>(bob.PollEvent());
        Assert.Null(bob.PollEvent());
        Assert.Equal(1, bob.DropCount(GossipDropReason.UnreadableInvite));
    }

    [Fact]
    public void The_callee_asks_the_caller_to_connect_back_and_no_one_else_can_ask_for_it()
    {
        var (alice, bob) = Pair();
        var invite = Invite(Alice, Bob, callId: 9);
        alice.LocalCallChanged(Now, invite);

        bob.RequestConnectBack(Now, invite, Candidates);
        var forged = GossipMessage.Connect2Call.Create(Peer(Bob), invite, Now, Candidates) with { Signature = new byte[64] };
        alice.HandleMessage(Now, Peer(3).Hash, GossipCodec.Encode(forged));
        Exchange(alice, bob);

        var request = Assert.IsType<GossipEvent.ConnectBackRequested>(alice.PollEvent());
        Assert.Equal(Candidates, request.Request.Candidates);
        Assert.Equal(1, alice.DropCount(GossipDropReason.InvalidConnect2Call));
    }

    [Fact]
    public void The_own_record_is_refreshed_before_it_expires_and_expired_records_are_swept()
    {
        var alice = Engine(Alice);
        var first = alice.PublishOwnRecord(Now, Candidates, []);
        alice.LocalRecordChanged(Now, Record(5, lifetime: TimeSpan.FromMinutes(10)));

        var later = Now + AddressBookRecord.DefaultRefreshInterval;
        while (alice.NextDeadline <= later) alice.HandleTimeout(alice.NextDeadline);

        Assert.True(alice.AddressBook.Lookup(alice.Self)!.Sequence > first.Sequence);
        Assert.Null(alice.AddressBook.Lookup(Peer(5).Hash));
    }

    [Fact]
    public void Random_bytes_from_a_neighbour_never_make_the_engine_throw()
    {
        var bob = Engine(Bob);
        bob.NeighbourAdded(Now, Peer(Alice).Hash);
        Gen.Select(Gen.Byte[0x20, 0x26], Gen.Byte.Array[0, 1166]).Sample((type, body) =>
        {
            lock (bob) bob.HandleMessage(Now, Peer(Alice).Hash, [type, GossipCodec.ProtocolVersion, .. body]);
        }, iter: 100_000);

        Assert.True(bob.DropCount(GossipDropReason.MalformedMessage) > 0);
    }

    private static GossipEngine Engine(int identity, GossipOptions? options = null, AddressBookReplica? addressBook = null) =>
        new(Peer(identity), new SeededRandomSource(identity), Now, options, addressBook);

    private static (GossipEngine Alice, GossipEngine Bob) Pair()
    {
        var (alice, bob) = (Engine(Alice), Engine(Bob));
        Link(alice, bob);
        return (alice, bob);
    }

    /// <summary>Neighbours for longer than the new-neighbour period (except where a test says otherwise).</summary>
    private static void Link(GossipEngine a, GossipEngine b, bool fresh = false)
    {
        var since = fresh ? Now : Now - a.Options.NewNeighbourAge;
        a.NeighbourAdded(since, b.Self);
        b.NeighbourAdded(since, a.Self);
    }

    private static List<OutgoingGossip> Drain(GossipEngine engine)
    {
        var sent = new List<OutgoingGossip>();
        while (engine.PollSend() is { } message) sent.Add(message);
        return sent;
    }

    /// <summary>Moves messages between the engines, losslessly and at once, until both are quiet; returns the bytes moved.</summary>
    private static long Exchange(params GossipEngine[] engines)
    {
        var byHash = engines.ToDictionary(engine => engine.Self);
        long bytes = 0;
        bool moved;
        do
        {
            moved = false;
            foreach (var engine in engines)
            {
                foreach (var message in Drain(engine).Where(message => byHash.ContainsKey(message.Peer)))
                {
                    Assert.True(message.Bytes.Length <= GossipCodec.MaxMessageLength);
                    bytes += message.Bytes.Length;
                    byHash[message.Peer].HandleMessage(Now, engine.Self, message.Bytes);
                    moved = true;
                }
            }
        }
        while (moved);
        return bytes;
    }
}
