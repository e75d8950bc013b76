using Pype.Core.Replication;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

public sealed class CallListReplicaTests
{
    private const int Alice = 1;
    private const int Bob = 2;
    private const int Mallory = 3;
    private static readonly UInt128 CallId = new(0x0123456789abcdef, 0xfedcba9876543210);

    private readonly CallListReplica _list = new();

    [Fact]
    public void A_caller_signed_invite_is_accepted_and_found_for_its_callee()
    {
        var invite = Invite(Alice, Bob, CallId);

        Assert.True(_list.Offer(Now, invite).IsAccepted);
        Assert.Equal([invite], _list.FindForCallee(Peer(Bob).Hash));
        Assert.Empty(_list.FindForCallee(Peer(Alice).Hash));
    }

    [Fact]
    public void The_callee_opens_the_invite_and_reads_caller_call_id_and_offer()
    {
        var invite = Invite(Alice, Bob, CallId, "offer bytes"u8.ToArray());

        Assert.True(invite.TryOpenInvite(Peer(Bob), out var opened));
        Assert.Equal(Peer(Alice).PublicKey.ToArray(), opened.CallerPublicKey.ToArray());
        Assert.Equal(CallId, opened.CallId);
        Assert.Equal("offer bytes"u8.ToArray(), opened.Offer.ToArray());
    }

    /// <summary>The sealed box's ephemeral key comes from the given source, so a seeded run replays byte for byte (and libsodium still opens it).</summary>
    [Fact]
    public void An_invite_sealed_from_the_same_random_source_is_the_same_bytes_and_still_opens()
    {
        CallListEntry Sealed(int seed) => CallListEntry.CreateInvite(
            Peer(Alice), Peer(Bob).PublicKey.Span, CallId, "offer"u8, Now, CallListEntry.DefaultLifetime, new Pype.Simulation.SimulationRandom(seed));

        Assert.Equal(Sealed(1).SealedInvite.ToArray(), Sealed(1).SealedInvite.ToArray());
        Assert.NotEqual(Sealed(1).SealedInvite.ToArray(), Sealed(2).SealedInvite.ToArray());
        Assert.True(Sealed(1).TryOpenInvite(Peer(Bob), out var opened));
        Assert.Equal("offer"u8.ToArray(), opened.Offer.ToArray());
        Assert.False(Sealed(1).TryOpenInvite(Peer(Mallory), out _));
    }

    [Fact]
    public void No_one_but_the_callee_opens_the_invite()
    {
        Assert.False(Invite(Alice, Bob, CallId).TryOpenInvite(Peer(Mallory), out _));
    }

    [Fact]
    public void An_invite_whose_inner_caller_key_is_not_the_signers_is_refused_on_opening()
    {
        // Mallory signs an entry that carries an invite sealed by Alice: the signature holds, the inner caller does not.
        var alices = Invite(Alice, Bob, CallId);
        var relabelled = CallListEntry.Sign(
            Peer(Mallory), CallEntryKind.Invite, Peer(Bob).Hash, Peer(Mallory).Hash, CallId, Now, Now.AddSeconds(60), alices.SealedInvite.ToArray());

        Assert.True(_list.Offer(Now, relabelled).IsAccepted);
        Assert.False(relabelled.TryOpenInvite(Peer(Bob), out _));
    }

    [Fact]
    public void An_invite_signed_by_anyone_but_the_caller_is_rejected_and_counted()
    {
        var forged = CallListEntry.Sign(
            Peer(Mallory), CallEntryKind.Invite, Peer(Bob).Hash, Peer(Alice).Hash, CallId, Now, Now.AddSeconds(60), Invite(Alice, Bob, CallId).SealedInvite.ToArray());

        AssertRejected(_list.Offer(Now, forged), RejectReason.WrongSigner);
    }

    [Fact]
    public void A_tampered_entry_is_rejected_as_forged()
    {
        var encoded = Invite(Alice, Bob, CallId).Encoded.ToArray();
        encoded[150] ^= 0x40;

        AssertRejected(_list.Offer(Now, encoded), RejectReason.BadSignature);
    }

    [Theory]
    [InlineData(CallEntryKind.Answered, Bob)]
    [InlineData(CallEntryKind.Rejected, Bob)]
    [InlineData(CallEntryKind.HungUp, Alice)]
    public void A_tombstone_from_either_party_replaces_the_invite_until_its_expiry(CallEntryKind kind, int signer)
    {
        var invite = Invite(Alice, Bob, CallId);
        _list.Offer(Now, invite);

        var tombstone = CallListEntry.CreateTombstone(Peer(signer), invite, kind);

        Assert.True(_list.Offer(Now, tombstone).IsAccepted);
        Assert.Equal(tombstone, _list.Lookup(invite.Key));
        Assert.Equal(invite.Expiry, tombstone.Expiry);
        AssertRejected(_list.Offer(Now, invite), RejectReason.Stale);
        Assert.Equal(1, _list.Expire(invite.Expiry));
    }

    [Fact]
    public void A_tombstone_signed_by_a_third_party_is_rejected_and_counted()
    {
        var invite = Invite(Alice, Bob, CallId);
        var byMallory = CallListEntry.Sign(
            Peer(Mallory), CallEntryKind.HungUp, invite.Callee, invite.Caller, CallId, invite.Created, invite.Expiry, []);

        AssertRejected(_list.Offer(Now, byMallory), RejectReason.WrongSigner);
    }

    [Fact]
    public void An_invite_without_its_sealed_invite_is_rejected_and_counted()
    {
        var empty = CallListEntry.Sign(Peer(Alice), CallEntryKind.Invite, Peer(Bob).Hash, Peer(Alice).Hash, CallId, Now, Now.AddSeconds(60), []);

        AssertRejected(_list.Offer(Now, empty), RejectReason.InviteMismatch);
    }

    [Fact]
    public void An_oversized_invite_is_rejected_and_counted()
    {
        var bloated = CallListEntry.Sign(
            Peer(Alice), CallEntryKind.Invite, Peer(Bob).Hash, Peer(Alice).Hash, CallId, Now, Now.AddSeconds(60), new byte[CallInvite.MaxSealedLength + 1]);

        AssertRejected(_list.Offer(Now, bloated), RejectReason.Oversized);
    }

    [Fact]
    public void An_expired_call_is_rejected_and_counted()
    {
        AssertRejected(_list.Offer(Now.AddSeconds(60), Invite(Alice, Bob, CallId)), RejectReason.Expired);
    }

    [Fact]
    public void A_call_created_in_the_future_or_ringing_too_long_is_rejected_and_counted()
    {
        var future = CallListEntry.CreateInvite(Peer(Alice), Peer(Bob).PublicKey.Span, CallId, [], Now.AddMinutes(1), TimeSpan.FromSeconds(60));
        var endless = CallListEntry.CreateInvite(Peer(Alice), Peer(Bob).PublicKey.Span, CallId + 1, [], Now, TimeSpan.FromHours(1));

        AssertRejected(_list.Offer(Now, future), RejectReason.BadLifetime);
        Assert.Equal(OfferResult.Reject(RejectReason.BadLifetime), _list.Offer(Now, endless));
    }

    [Fact]
    public void A_third_partys_entry_never_shares_a_key_with_the_real_call()
    {
        Assert.NotEqual(
            CallListEntry.KeyOf(Peer(Bob).Hash, Peer(Alice).Hash, CallId),
            CallListEntry.KeyOf(Peer(Mallory).Hash, Peer(Alice).Hash, CallId));
    }

    private void AssertRejected(OfferResult result, RejectReason reason)
    {
        Assert.Equal(OfferResult.Reject(reason), result);
        Assert.Equal(1, _list.RejectedCount(reason));
    }
}
