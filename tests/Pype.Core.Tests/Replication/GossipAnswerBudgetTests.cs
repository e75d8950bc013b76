using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

/// <summary>
/// Issue #14 item 2: answers are paced per neighbour, a new neighbour gets at most three times
/// what it sent, and an empty key list or digest yields the whole book at most once per link.
/// All in virtual time against a 20,000-record book (3.3 MB encoded).
/// </summary>
public sealed class GossipAnswerBudgetTests(ITestOutputHelper output)
{
    private const int Veteran = 1;
    private const int Attacker = 66;
    private const int Bystander = 67;
    private static readonly Lazy<AddressBookReplica> TwentyThousand = new(() => BookOf(Enumerable.Range(300_000, 20_000).Select(i => Record(i))));
    private static readonly TimeSpan NewAge = GossipOptions.Default.NewNeighbourAge;

    public static TheoryData<string> Kinds => new()
    {
        "newPeerRequest", "getAddressBook", "getCallList", "empty digest", "root digest", "empty key list",
        "one-entry key list", "deep empty key list", "records", "connect2call", "garbage",
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_new_neighbour_is_answered_at_most_three_times_what_it_sent_whatever_it_sends(string kind)
    {
        var (veteran, attacker) = VeteranWithNewNeighbour();
        var request = Request(kind, veteran);

        var received = 0L;
        var answered = 0L;
        for (var at = Now; at < Now + NewAge; at += TimeSpan.FromMilliseconds(250))
        {
            if (at == Now)
            {
                veteran.HandleMessage(at, attacker, request);
                received += request.Length;
            }

            veteran.HandleTimeout(at);
            answered += DrainTo(veteran, attacker);
        }

        output.WriteLine($"{kind}: {request.Length} bytes in, {answered} bytes out while new ({(double)answered / request.Length:F2}x); backlog {veteran.Backlog(attacker)}");
        Assert.True(answered <= GossipOptions.NewNeighbourAnswerFactor * received, $"{answered} bytes answered to {received} received");
    }

    [Fact]
    public void The_amplification_attack_on_a_twenty_thousand_record_book_stays_within_three_times_while_new()
    {
        var (veteran, attacker) = VeteranWithNewNeighbour();
        var emptyKeyList = Request("empty key list", veteran);
        var emptyDigest = Request("empty digest", veteran);

        long received = 0, answered = 0;
        for (var at = Now; at < Now + NewAge; at += TimeSpan.FromMilliseconds(25))
        {
            var request = received % 2 == 0 ? emptyKeyList : emptyDigest;
            veteran.HandleMessage(at, attacker, request);
            received += request.Length;
            veteran.HandleTimeout(at);
            answered += DrainTo(veteran, attacker);
        }

        output.WriteLine($"attacker sent {received} bytes in {NewAge.TotalSeconds} s, was answered {answered} bytes ({(double)answered / received:F2}x); the book is {veteran.AddressBook.Records.Sum(r => r.Encoded.Length)} bytes");
        Assert.True(answered <= 3 * received);
        Assert.True(answered > 0, "nothing at all was answered");
        Assert.True(veteran.Backlog(attacker).Items <= veteran.Options.MaxPendingItemsPerLink);
    }

    [Fact]
    public void Once_a_neighbour_is_no_longer_new_the_dump_is_paced_by_its_byte_budget()
    {
        var (veteran, attacker) = VeteranWithNewNeighbour();
        veteran.HandleMessage(Now, attacker, Request("empty key list", veteran));
        DrainTo(veteran, attacker);

        var start = Now + NewAge;
        var answered = 0L;
        var at = start;
        while (at < start + TimeSpan.FromSeconds(10))
        {
            var next = veteran.NextDeadline > at ? veteran.NextDeadline : at + TimeSpan.FromMilliseconds(1);
            at = next < start + TimeSpan.FromSeconds(10) ? next : start + TimeSpan.FromSeconds(10);
            veteran.HandleTimeout(at);
            // Items only: our own anti-entropy rounds may pick this neighbour now, and are no answers.
            answered += Drain(veteran).Where(m => m.Peer == attacker && m.Bytes[0] == 0x26).Sum(m => (long)m.Bytes.Length);
            var allowed = veteran.Options.AnswerByteBurstPerLink + veteran.Options.AnswerBytesPerSecondPerLink * (at - start).TotalSeconds;
            Assert.True(answered <= allowed, $"{answered} bytes by +{(at - start).TotalSeconds:F1} s, {allowed:F0} allowed");
        }

        output.WriteLine($"established neighbour: {answered} bytes of the dump in 10 s ({answered / 10 / 1024} KiB/s)");
        Assert.True(answered > veteran.Options.AnswerByteBurstPerLink, "the dump did not flow at all");
    }

    [Fact]
    public void An_empty_key_list_yields_the_whole_book_once_per_link_and_a_digest_after_that()
    {
        var veteran = Engine(Veteran, BookOf(Enumerable.Range(400_000, 600).Select(i => Record(i))));
        var peer = Peer(Attacker).Hash;
        var longAgo = Now - TimeSpan.FromMinutes(1);
        veteran.NeighbourAdded(longAgo, peer);
        var request = Request("empty key list", veteran);

        veteran.HandleMessage(Now, peer, request);
        var first = DrainTo(veteran, peer);
        veteran.HandleMessage(Now + TimeSpan.FromSeconds(30), peer, request);
        var sent = Drain(veteran).Where(m => m.Peer == peer).ToList();
        var second = sent.Sum(m => m.Bytes.Length);

        output.WriteLine($"first empty key list: {first} bytes; second: {second} bytes in {sent.Count} message(s)");
        Assert.True(first > 600 * 100, $"the first dump was {first} bytes");
        var digest = Assert.Single(sent);
        Assert.True(GossipCodec.TryDecode(digest.Bytes, out var message));
        Assert.IsType<GossipMessage.Digest>(message);

        // A new link is a new session: the dump is allowed again (as is the three-times rule).
        veteran.NeighbourRemoved(peer);
        veteran.NeighbourAdded(longAgo, peer);
        veteran.HandleMessage(Now + TimeSpan.FromSeconds(60), peer, request);
        Assert.Equal(first, DrainTo(veteran, peer));
    }

    [Fact]
    public void After_a_dump_a_replica_missing_items_still_gets_them_by_descending()
    {
        var book = BookOf(Enumerable.Range(400_000, 600).Select(i => Record(i)));
        var veteran = Engine(Veteran, book.Clone());
        var forgetful = Engine(Attacker);
        var longAgo = Now - TimeSpan.FromMinutes(1);
        veteran.NeighbourAdded(longAgo, forgetful.Self);
        forgetful.NeighbourAdded(longAgo, veteran.Self);
        veteran.HandleMessage(Now, forgetful.Self, Request("empty key list", veteran));
        DrainTo(veteran, forgetful.Self); // the dump, lost on the way

        var at = Now;
        while (forgetful.AddressBook.Count < 600 && at < Now + TimeSpan.FromMinutes(2))
        {
            at += TimeSpan.FromSeconds(1);
            forgetful.HandleTimeout(at);
            veteran.HandleTimeout(at);
            Exchange(at, veteran, forgetful);
        }

        output.WriteLine($"a replica that lost the dump holds {forgetful.AddressBook.Count} records after {(at - Now).TotalSeconds} s");
        Assert.Equal(ContentOf(veteran.AddressBook), ContentOf(forgetful.AddressBook));
    }

    [Fact]
    public void A_joining_node_receives_a_large_book_paced_within_the_new_period_and_the_byte_rate()
    {
        var veteran = Engine(Veteran, TwentyThousand.Value.Clone());
        var newcomer = Engine(Attacker, options: new GossipOptions { ItemBurstPerLink = 100_000 });
        veteran.NeighbourAdded(Now, newcomer.Self);
        newcomer.NeighbourAdded(Now, veteran.Self);

        newcomer.RequestSnapshot(veteran.Self);
        var at = Now;
        while (newcomer.AddressBook.Count < 20_000 && at < Now + TimeSpan.FromMinutes(3))
        {
            Exchange(at, veteran, newcomer);
            var next = new[] { veteran.NextDeadline, newcomer.NextDeadline }.Min();
            at = next > at ? next : at + TimeSpan.FromMilliseconds(1);
            veteran.HandleTimeout(at);
            newcomer.HandleTimeout(at);
        }

        // The book at the byte rate, twice over: items beyond the bounded backlog wait for the
        // newcomer's next rounds, which also have to descend to find them.
        var expected = NewAge + 2 * TimeSpan.FromSeconds(3.4e6 / veteran.Options.AnswerBytesPerSecondPerLink);
        output.WriteLine($"a newcomer holds {newcomer.AddressBook.Count} records after {(at - Now).TotalSeconds:F1} s virtual (new for {NewAge.TotalSeconds} s, then {veteran.Options.AnswerBytesPerSecondPerLink / 1024} KiB/s)");
        Assert.Equal(20_000, newcomer.AddressBook.Count);
        Assert.True(at - Now < expected, $"{at - Now} against {expected}");
    }

    private static (GossipEngine Veteran, HashAddress Attacker) VeteranWithNewNeighbour()
    {
        var veteran = Engine(Veteran, TwentyThousand.Value.Clone());
        veteran.NeighbourAdded(Now - TimeSpan.FromMinutes(1), Peer(Bystander).Hash);
        veteran.NeighbourAdded(Now, Peer(Attacker).Hash);
        Drain(veteran);
        return (veteran, Peer(Attacker).Hash);
    }

    private static byte[] Request(string kind, GossipEngine veteran)
    {
        var book = veteran.AddressBook.Digest;
        var keys = book.Under(0, 0).Take(64).Select(entry => entry.KeyPrefix).ToList();
        var empty = Enumerable.Repeat(new DigestSummary(0, 0), 16).ToList();
        GossipMessage message = kind switch
        {
            "newPeerRequest" => new GossipMessage.NewPeerRequest(),
            "getAddressBook" => new GossipMessage.GetItems(GossipStore.AddressBook, keys),
            "getCallList" => new GossipMessage.GetItems(GossipStore.CallList, keys),
            "empty digest" => new GossipMessage.Digest(GossipStore.AddressBook, 0, 0, empty),
            "root digest" => Reconciler.RootDigest(GossipStore.AddressBook, BookOf([Record(Attacker)]).Digest),
            "empty key list" => new GossipMessage.KeyList(GossipStore.AddressBook, 0, 0, []),
            "one-entry key list" => new GossipMessage.KeyList(GossipStore.AddressBook, 0, 0, [book.Under(0, 0).First()]),
            "deep empty key list" => new GossipMessage.KeyList(GossipStore.AddressBook, 2, keys[0] & DigestTree.MaskOf(2), []),
            "records" => new GossipMessage.Records(GossipStore.AddressBook, true, [Record(Attacker).Encoded]),
            "connect2call" => GossipMessage.Connect2Call.Create(Peer(Attacker), Invite(Veteran, Attacker, 5), Now, Candidates),
            _ => null!,
        };
        return message is null ? [0x24, 1, 7, 7, 7] : GossipCodec.Encode(message);
    }

    private static GossipEngine Engine(int identity, AddressBookReplica? addressBook = null, GossipOptions? options = null) =>
        new(Peer(identity), new SeededRandomSource(identity), Now, options, addressBook);

    private static List<OutgoingGossip> Drain(GossipEngine engine)
    {
        var sent = new List<OutgoingGossip>();
        while (engine.PollSend() is { } message) sent.Add(message);
        while (engine.PollEvent() is not null)
        {
        }

        return sent;
    }

    private static long DrainTo(GossipEngine engine, HashAddress peer) => Drain(engine).Where(m => m.Peer == peer).Sum(m => (long)m.Bytes.Length);

    /// <summary>Moves messages between the engines at once and losslessly until both are quiet.</summary>
    private static void Exchange(DateTimeOffset at, params GossipEngine[] engines)
    {
        var byHash = engines.ToDictionary(engine => engine.Self);
        bool moved;
        do
        {
            moved = false;
            foreach (var engine in engines)
            {
                foreach (var message in Drain(engine).Where(message => byHash.ContainsKey(message.Peer)))
                {
                    byHash[message.Peer].HandleMessage(at, engine.Self, message.Bytes);
                    moved = true;
                }
            }
        }
        while (moved);
    }
}
