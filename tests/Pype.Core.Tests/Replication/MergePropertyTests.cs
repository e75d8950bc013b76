using CsCheck;
using Pype.Core.Replication;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

/// <summary>
/// Replicas that saw the same records, in any order and in any grouping, hold the same book:
/// merging is commutative, associative and idempotent. The records come from a small pool of
/// owners, sequences and same-sequence variants, so collisions and ties are frequent.
/// </summary>
public sealed class MergePropertyTests
{
    private static readonly AddressBookRecord[] Pool =
    [
        .. from owner in Enumerable.Range(10, 6)
           from sequence in new ulong[] { 1, 2, 3 }
           from variant in new[] { "x", "y" }
           select Record(owner, sequence, metadata: System.Text.Encoding.ASCII.GetBytes(variant)),
    ];

    private static readonly CallListEntry[] CallPool = BuildCallPool();

    private static readonly Gen<AddressBookRecord[]> Records = Gen.Int[0, Pool.Length - 1].Array[0, 24].Select(picks => picks.Select(i => Pool[i]).ToArray());

    private static readonly Gen<CallListEntry[]> Calls = Gen.Int[0, CallPool.Length - 1].Array[0, 16].Select(picks => picks.Select(i => CallPool[i]).ToArray());

    [Fact]
    public void Merging_address_books_is_commutative()
    {
        Gen.Select(Records, Records).Sample((a, b) =>
            Assert.Equal(ContentOf(Merged(BookOf(a), BookOf(b))), ContentOf(Merged(BookOf(b), BookOf(a)))), iter: 200);
    }

    [Fact]
    public void Merging_address_books_is_associative()
    {
        Gen.Select(Records, Records, Records).Sample((a, b, c) =>
            Assert.Equal(
                ContentOf(Merged(Merged(BookOf(a), BookOf(b)), BookOf(c))),
                ContentOf(Merged(BookOf(a), Merged(BookOf(b), BookOf(c))))), iter: 100);
    }

    [Fact]
    public void Merging_an_address_book_with_itself_changes_nothing()
    {
        Records.Sample(a => Assert.Equal(ContentOf(BookOf(a)), ContentOf(Merged(BookOf(a), BookOf(a)))), iter: 200);
    }

    [Fact]
    public void Replicas_that_saw_the_same_records_in_any_order_are_equal()
    {
        Records.SelectMany(a => Gen.Shuffle(a.ToArray()).Select(shuffled => (a, shuffled))).Sample(pair =>
            Assert.Equal(ContentOf(BookOf(pair.a)), ContentOf(BookOf(pair.shuffled))), iter: 200);
    }

    [Fact]
    public void Equal_address_books_have_equal_digests()
    {
        Records.SelectMany(a => Gen.Shuffle(a.ToArray()).Select(shuffled => (a, shuffled))).Sample(pair =>
            Assert.Equal(BookOf(pair.a).Digest.Children(0, 0), BookOf(pair.shuffled).Digest.Children(0, 0)), iter: 200);
    }

    [Fact]
    public void Merging_call_lists_is_commutative_associative_and_idempotent()
    {
        Gen.Select(Calls, Calls, Calls).Sample((a, b, c) =>
        {
            Assert.Equal(ContentOf(Merged(ListOf(a), ListOf(b))), ContentOf(Merged(ListOf(b), ListOf(a))));
            Assert.Equal(
                ContentOf(Merged(Merged(ListOf(a), ListOf(b)), ListOf(c))),
                ContentOf(Merged(ListOf(a), Merged(ListOf(b), ListOf(c)))));
            Assert.Equal(ContentOf(ListOf(a)), ContentOf(Merged(ListOf(a), ListOf(a))));
        }, iter: 100);
    }

    private static AddressBookReplica Merged(AddressBookReplica into, AddressBookReplica from)
    {
        var result = into.Clone();
        result.Merge(Now, from);
        return result;
    }

    private static CallListReplica Merged(CallListReplica into, CallListReplica from)
    {
        var result = into.Clone();
        result.Merge(Now, from);
        return result;
    }

    private static CallListReplica ListOf(IEnumerable<CallListEntry> entries)
    {
        var list = new CallListReplica();
        foreach (var entry in entries) list.Offer(Now, entry);
        return list;
    }

    private static CallListEntry[] BuildCallPool()
    {
        var pool = new List<CallListEntry>();
        for (UInt128 callId = 1; callId <= 4; callId++)
        {
            var invite = Invite(20, 21, callId);
            pool.Add(invite);
            pool.Add(CallListEntry.CreateTombstone(Peer(21), invite, CallEntryKind.Answered));
            pool.Add(CallListEntry.CreateTombstone(Peer(20), invite, CallEntryKind.HungUp));
        }

        return [.. pool];
    }
}
