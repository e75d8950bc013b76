using Pype.Core.Identity;
using Pype.Core.Replication;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

public sealed class AddressBookReplicaTests
{
    private readonly AddressBookReplica _book = new();

    [Fact]
    public void A_valid_record_is_accepted_and_found_by_its_hash()
    {
        var record = Record(1);

        Assert.True(_book.Offer(Now, record).IsAccepted);
        Assert.Same(record, _book.Lookup(Peer(1).Hash));
        Assert.Equal(1, _book.Count);
    }

    [Fact]
    public void Forged_record_is_rejected_and_counted()
    {
        var encoded = Record(1).Encoded.ToArray();
        encoded[^1] ^= 0x01;

        AssertRejected(_book.Offer(Now, encoded), RejectReason.BadSignature);
    }

    [Fact]
    public void Record_signed_by_another_key_is_rejected_as_forged()
    {
        var owner = Peer(1);
        var forged = AddressBookRecord.CreateUnchecked(Peer(2), owner.PublicKey.ToArray(), owner.Hash, 1, Now.AddHours(1), Candidates, []);

        AssertRejected(_book.Offer(Now, forged), RejectReason.BadSignature);
    }

    [Fact]
    public void Record_whose_hash_is_not_its_keys_is_rejected_and_counted()
    {
        var owner = Peer(1);
        var wrongHash = AddressBookRecord.CreateUnchecked(owner, owner.PublicKey.ToArray(), Peer(2).Hash, 1, Now.AddHours(1), Candidates, []);

        AssertRejected(_book.Offer(Now, wrongHash), RejectReason.WrongHash);
    }

    [Fact]
    public void Older_sequence_is_rejected_as_stale_and_the_newer_record_stays()
    {
        _book.Offer(Now, Record(1, sequence: 5));

        AssertRejected(_book.Offer(Now, Record(1, sequence: 4)), RejectReason.Stale);
        Assert.Equal(5ul, _book.Lookup(Peer(1).Hash)!.Sequence);
    }

    [Fact]
    public void Newer_sequence_replaces_the_record_held()
    {
        _book.Offer(Now, Record(1, sequence: 5));

        Assert.True(_book.Offer(Now, Record(1, sequence: 6)).IsAccepted);
        Assert.Equal(6ul, _book.Lookup(Peer(1).Hash)!.Sequence);
        Assert.Equal(1, _book.Count);
    }

    [Fact]
    public void The_same_record_twice_is_a_counted_duplicate()
    {
        _book.Offer(Now, Record(1));

        AssertRejected(_book.Offer(Now, Record(1)), RejectReason.Duplicate);
    }

    [Fact]
    public void Record_already_expired_is_rejected_and_counted()
    {
        AssertRejected(_book.Offer(Now, Record(1, lifetime: TimeSpan.FromHours(1))), null);
        AssertRejected(_book.Offer(Now.AddHours(1), Record(2, lifetime: TimeSpan.FromHours(1))), RejectReason.Expired);
    }

    [Fact]
    public void Record_expiring_too_far_ahead_is_rejected_and_counted()
    {
        AssertRejected(_book.Offer(Now, Record(1, lifetime: TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1))), RejectReason.ExpiryTooFar);
    }

    [Fact]
    public void Record_with_oversized_metadata_is_rejected_and_counted()
    {
        AssertRejected(_book.Offer(Now, Record(1, metadata: new byte[129])), RejectReason.Oversized);
        Assert.True(_book.Offer(Now, Record(2, metadata: new byte[128])).IsAccepted);
    }

    [Fact]
    public void Bytes_that_are_no_record_are_rejected_as_malformed()
    {
        AssertRejected(_book.Offer(Now, new byte[] { 1, 2, 3 }), RejectReason.Malformed);
    }

    [Fact]
    public void A_full_book_turns_new_owners_away_but_still_takes_updates()
    {
        var small = new AddressBookReplica(new AddressBookLimits { Capacity = 2 });
        small.Offer(Now, Record(1));
        small.Offer(Now, Record(2));

        AssertRejected(small.Offer(Now, Record(3)), RejectReason.CapacityReached, small);
        Assert.True(small.Offer(Now, Record(1, sequence: 2)).IsAccepted);
    }

    [Fact]
    public void Expired_records_disappear_from_the_book_and_its_digest()
    {
        _book.Offer(Now, Record(1, lifetime: TimeSpan.FromMinutes(10)));
        _book.Offer(Now, Record(2, lifetime: TimeSpan.FromMinutes(30)));

        Assert.Equal(1, _book.Expire(Now.AddMinutes(10)));

        Assert.Null(_book.Lookup(Peer(1).Hash));
        Assert.Equal(1, _book.Count);
        Assert.Equal(new DigestSummary(Record(2, lifetime: TimeSpan.FromMinutes(30)).Fingerprint, 1), _book.Digest.Summary(0, 0));
    }

    [Fact]
    public void Equal_sequences_with_different_content_settle_on_the_larger_encoding_in_any_order()
    {
        var first = Record(1, sequence: 7, metadata: "a"u8.ToArray());
        var second = Record(1, sequence: 7, metadata: "b"u8.ToArray());
        var winner = first.Encoded.Span.SequenceCompareTo(second.Encoded.Span) > 0 ? first : second;

        Assert.Equal(ContentOf(BookOf([first, second])), ContentOf(BookOf([second, first])));
        Assert.Same(winner, BookOf([first, second]).Lookup(Peer(1).Hash));
    }

    private void AssertRejected(OfferResult result, RejectReason? reason, AddressBookReplica? book = null)
    {
        if (reason is null)
        {
            Assert.True(result.IsAccepted);
            return;
        }

        Assert.Equal(OfferResult.Reject(reason.Value), result);
        Assert.Equal(1, (book ?? _book).RejectedCount(reason.Value));
    }
}
