using Pype.Core.Identity;
using Pype.Core.Replication;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

/// <summary>
/// Per-signer quotas and the order in which a full replica gives items up: strangers' before
/// contacts', contacts' before the node's own, and a signer hogging a standing before a light one.
/// </summary>
public sealed class ReplicaQuotaTests
{
    private const int Me = 1;
    private const int Carol = 2;
    private const int Dave = 3;
    private const int Mallory = 4;

    /// <summary>A fresh key per number that no other test uses: cheap to make, expensive only to sign with.</summary>
    private static IdentityKeyPair Sybil(int number)
    {
        var seed = new byte[IdentityKeyPair.SeedLength];
        BitConverter.TryWriteBytes(seed, number);
        seed[31] = 0x5b;
        return IdentityKeyPair.FromSeed(seed);
    }

    private static AddressBookRecord SybilRecord(int number) =>
        AddressBookRecord.Create(Sybil(number), 1, Now + TimeSpan.FromHours(1), Candidates, []);

    /// <summary>
    /// A call entry with made-up sealed bytes: replicas never open an invite, only callees do, so
    /// this costs one signature instead of a sealed box as well.
    /// </summary>
    private static CallListEntry Entry(IdentityKeyPair caller, HashAddress callee, UInt128 callId, TimeSpan? lifetime = null) =>
        CallListEntry.Sign(caller, CallEntryKind.Invite, callee, caller.Hash, callId, Now, Now + (lifetime ?? CallListEntry.DefaultLifetime), new byte[64]);

    private static AddressBookReplica Book(int capacity)
    {
        var book = new AddressBookReplica(new AddressBookLimits { Capacity = capacity });
        book.TrustSelf(Peer(Me).Hash);
        book.SetContacts([Peer(Carol).Hash]);
        return book;
    }

    private static CallListReplica CallList(int capacity = 10_000)
    {
        var list = new CallListReplica(new CallListLimits { Capacity = capacity });
        list.TrustSelf(Peer(Me).Hash);
        list.SetContacts([Peer(Carol).Hash]);
        return list;
    }

    private static void AssertRejected(OfferResult result, RejectReason reason) =>
        Assert.Equal(OfferResult.Reject(reason), result);

    /// <summary>
    /// Issue #14's sybil flood scaled down: capacity 2,000 and 2,100 fresh keys behave as 100,000
    /// keys against the 100,000-record book, since nothing here depends on the size but the time
    /// (100k fresh keys take about 20 s to make, sign and verify on two cores, too long for a unit test).
    /// </summary>
    [Fact]
    public void Sybil_records_filling_the_book_leave_a_contacts_record_and_let_a_new_contact_in()
    {
        var book = Book(2_000);
        Assert.True(book.Offer(Now, Record(Carol)).IsAccepted);
        Assert.True(book.Offer(Now, Record(Me)).IsAccepted);

        var accepted = Enumerable.Range(0, 2_100).Count(i => book.Offer(Now, SybilRecord(i)).IsAccepted);

        Assert.Equal(1_998, accepted);
        Assert.Equal(102, book.RejectedCount(RejectReason.CapacityReached));
        AssertNewContactGetsIn(book);
    }

    private static void AssertNewContactGetsIn(AddressBookReplica book)
    {
        Assert.NotNull(book.Lookup(Peer(Carol).Hash));
        Assert.NotNull(book.Lookup(Peer(Me).Hash));
        AssertRejected(book.Offer(Now, Record(Dave)), RejectReason.CapacityReached);

        Assert.True(book.AddContact(Peer(Dave).Hash));
        Assert.True(book.Offer(Now, Record(Dave)).IsAccepted);
        Assert.True(book.Offer(Now, Record(Carol, sequence: 2)).IsAccepted);

        Assert.NotNull(book.Lookup(Peer(Dave).Hash));
        Assert.Equal(2ul, book.Lookup(Peer(Carol).Hash)!.Sequence);
        Assert.Equal(1, book.EvictedCount);
        Assert.Equal(book.Limits.Capacity, book.Count);
    }

    [Fact]
    public void A_stranger_never_evicts_a_contact_and_a_book_full_of_contacts_refuses_strangers()
    {
        var book = Book(2);
        book.AddContact(Peer(Dave).Hash);
        Assert.True(book.Offer(Now, Record(Carol)).IsAccepted);
        Assert.True(book.Offer(Now, Record(Dave)).IsAccepted);

        AssertRejected(book.Offer(Now, Record(Mallory)), RejectReason.CapacityReached);
        Assert.Equal(0, book.EvictedCount);
        Assert.NotNull(book.Lookup(Peer(Carol).Hash));
        Assert.NotNull(book.Lookup(Peer(Dave).Hash));

        // Our own record outranks a contact's: one of them makes room for it.
        Assert.True(book.Offer(Now, Record(Me)).IsAccepted);
        Assert.Equal(1, book.EvictedCount);
    }

    [Fact]
    public void Removing_a_contact_makes_its_record_the_one_a_new_contact_evicts()
    {
        var book = Book(2);
        book.AddContact(Peer(Dave).Hash);
        book.Offer(Now, Record(Carol));
        book.Offer(Now, Record(Dave));

        Assert.True(book.RemoveContact(Peer(Carol).Hash));
        Assert.True(book.AddContact(Peer(Mallory).Hash));

        Assert.True(book.Offer(Now, Record(Mallory)).IsAccepted);
        Assert.Null(book.Lookup(Peer(Carol).Hash));
        Assert.NotNull(book.Lookup(Peer(Dave).Hash));
    }

    [Fact]
    public void One_key_offering_ten_thousand_call_entries_gets_only_its_quota()
    {
        var list = CallList();
        var mallory = Peer(Mallory);

        var accepted = Enumerable.Range(0, 10_000).Count(i => list.Offer(Now, Entry(mallory, Sybil(i % 50).Hash, (UInt128)i)).IsAccepted);

        Assert.Equal(list.Limits.MaxEntriesPerSigner, accepted);
        Assert.Equal(10_000 - list.Limits.MaxEntriesPerSigner, list.RejectedCount(RejectReason.QuotaReached));
        Assert.True(list.Offer(Now, Invite(Carol, Me, 1)).IsAccepted);
    }

    [Fact]
    public void A_signers_replacement_of_its_own_entry_fits_its_quota_but_a_callee_at_quota_cannot_sign_more()
    {
        var list = CallList();
        var mallory = Peer(Mallory);
        var own = Enumerable.Range(0, 32).Select(i => Entry(mallory, Peer(Dave).Hash, (UInt128)i)).ToList();
        own.ForEach(entry => Assert.True(list.Offer(Now, entry).IsAccepted));
        var fromCarol = Invite(Carol, Mallory, 99);
        Assert.True(list.Offer(Now, fromCarol).IsAccepted);

        Assert.True(list.Offer(Now, CallListEntry.CreateTombstone(mallory, own[0], CallEntryKind.HungUp)).IsAccepted);
        AssertRejected(list.Offer(Now, CallListEntry.CreateTombstone(mallory, fromCarol, CallEntryKind.Rejected)), RejectReason.QuotaReached);
        Assert.Equal(32, list.HeldBy(mallory.Hash));
    }

    /// <summary>Issue #14: 10,000 strangers' entries (313 keys at quota) fill the list; a contact's call still gets in.</summary>
    [Fact]
    public void A_contacts_call_entry_is_accepted_into_a_list_full_of_strangers_entries()
    {
        var list = CallList();
        var keys = Enumerable.Range(0, 313).Select(Sybil).ToList();
        var entries = Enumerable.Range(0, 10_000).Select(i => Entry(keys[i / 32], Peer(Dave).Hash, (UInt128)i)).ToList();
        entries.ForEach(entry => Assert.True(list.Offer(Now, entry).IsAccepted));
        Assert.Equal(10_000, list.Count);

        var toMe = Invite(Carol, Me, 1);
        var toDave = Invite(Carol, Dave, 2);
        Assert.True(list.Offer(Now, toMe).IsAccepted);
        Assert.True(list.Offer(Now, toDave).IsAccepted);

        Assert.Equal(10_000, list.Count);
        Assert.Equal(2, list.EvictedCount);
        var evicted = list.TakeEvicted();
        Assert.Equal(2, evicted.Count);
        Assert.All(evicted, key => Assert.Null(list.Lookup(key)));
        Assert.Empty(list.TakeEvicted());
        Assert.Equal(ItemStanding.Own, list.StandingOf(toMe));
        Assert.Equal(ItemStanding.Contact, list.StandingOf(toDave));
        // The heaviest stranger (all hold 32 but the last; the smallest hash on a tie) lost its oldest.
        Assert.Equal(2, keys.Count(key => list.HeldBy(key.Hash) == 31));
    }

    [Fact]
    public void Strangers_calls_to_us_go_before_contacts_and_our_own_calls_go_last()
    {
        var list = CallList(capacity: 3);
        var strangerToMe = Entry(Peer(Mallory), Peer(Me).Hash, 1);
        var contactToDave = Entry(Peer(Carol), Peer(Dave).Hash, 2, TimeSpan.FromSeconds(30));
        var mine = Invite(Me, Dave, 3);
        Assert.True(list.Offer(Now, strangerToMe).IsAccepted);
        Assert.True(list.Offer(Now, contactToDave).IsAccepted);
        Assert.True(list.Offer(Now, mine).IsAccepted);
        Assert.Equal(ItemStanding.StrangerAboutUs, list.StandingOf(strangerToMe));

        AssertRejected(list.Offer(Now, Entry(Sybil(1), Peer(Me).Hash, 4)), RejectReason.CapacityReached);
        Assert.True(list.Offer(Now, Invite(Carol, Dave, 5)).IsAccepted);
        Assert.Null(list.Lookup(strangerToMe.Key));

        // Carol holds two, a newcomer contact none: fair share gives one of Carol's up, not ours.
        list.AddContact(Peer(Dave).Hash);
        Assert.True(list.Offer(Now, Invite(Dave, Mallory, 6)).IsAccepted);
        Assert.Null(list.Lookup(contactToDave.Key));
        Assert.NotNull(list.Lookup(mine.Key));
        AssertRejected(list.Offer(Now, Invite(Carol, Mallory, 7)), RejectReason.CapacityReached);
    }

    [Fact]
    public void A_light_stranger_displaces_the_heaviest_strangers_oldest_entry_and_shares_never_swing_back()
    {
        var list = CallList(capacity: 4);
        var heavy = Peer(Mallory);
        var heavyEntries = Enumerable.Range(0, 4).Select(i => Entry(heavy, Peer(Dave).Hash, (UInt128)i, TimeSpan.FromSeconds(30 + i))).ToList();
        heavyEntries.ForEach(entry => Assert.True(list.Offer(Now, entry).IsAccepted));

        Assert.True(list.Offer(Now, Entry(Sybil(1), Peer(Dave).Hash, 10)).IsAccepted);
        Assert.Null(list.Lookup(heavyEntries[0].Key));
        Assert.True(list.Offer(Now, Entry(Sybil(2), Peer(Dave).Hash, 11)).IsAccepted);
        Assert.Null(list.Lookup(heavyEntries[1].Key));

        // Mallory now holds 2, the others 1 each: neither side may displace the other any more.
        AssertRejected(list.Offer(Now, Entry(Sybil(1), Peer(Dave).Hash, 12)), RejectReason.CapacityReached);
        AssertRejected(list.Offer(Now, heavyEntries[0]), RejectReason.CapacityReached);
        Assert.Equal(2, list.EvictedCount);
    }

    [Fact]
    public void Restoring_from_stored_items_in_any_order_keeps_the_contacts_entries()
    {
        var stored = Enumerable.Range(0, 40).Select(i => Entry(Sybil(i), Peer(Dave).Hash, (UInt128)i).Encoded.ToArray())
            .Append(Invite(Carol, Dave, 100).Encoded.ToArray())
            .Append(Invite(Me, Dave, 101).Encoded.ToArray())
            .ToList();

        var restored = CallList(capacity: 20);
        foreach (var encoded in stored)
        {
            restored.Offer(Now, encoded);
        }

        Assert.Equal(20, restored.Count);
        Assert.NotNull(restored.Lookup(CallListEntry.KeyOf(Peer(Dave).Hash, Peer(Carol).Hash, 100)));
        Assert.NotNull(restored.Lookup(CallListEntry.KeyOf(Peer(Dave).Hash, Peer(Me).Hash, 101)));

        var copy = restored.Clone();
        AssertRejected(copy.Offer(Now, Entry(Sybil(500), Peer(Dave).Hash, 500)), RejectReason.CapacityReached);
        Assert.True(copy.Offer(Now, Invite(Carol, Dave, 102)).IsAccepted);
        Assert.Equal(20, copy.Count);
        Assert.Null(restored.Lookup(CallListEntry.KeyOf(Peer(Dave).Hash, Peer(Carol).Hash, 102)));
    }

    [Fact]
    public void Per_signer_counts_are_kept_only_for_signers_with_items_held()
    {
        var list = CallList(capacity: 100);
        foreach (var i in Enumerable.Range(0, 1_000))
        {
            list.Offer(Now, Entry(Sybil(i), Peer(Dave).Hash, (UInt128)i));
        }

        Assert.Equal(100, list.Store.SignersTracked);
        list.Expire(Now + TimeSpan.FromMinutes(10));
        Assert.Equal(0, list.Store.SignersTracked);
        Assert.Equal(0, list.Count);
    }
}
