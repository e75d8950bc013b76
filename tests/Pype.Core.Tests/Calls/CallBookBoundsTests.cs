using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Calls;

public sealed class CallBookBoundsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HashAddress Self = HashAddress.FromBytes(Enumerable.Repeat((byte)0x01, HashAddress.Length).ToArray());

    [Fact]
    public void A_peers_burst_of_invites_is_held_to_its_share_and_the_rest_dropped_and_counted()
    {
        var book = new CallBook(Self, new SeededRandomSource(3));
        var peer = Peer(7);
        for (var call = 1; call <= 50; call++)
        {
            book.Handle(Start, peer, Invite((UInt128)call));
        }

        Assert.Equal(CallBook.MaxCallsPerPeer, book.Calls.Count);
        Assert.Equal(50 - CallBook.MaxCallsPerPeer, book.DropCount(CallDropReason.TooManyCallsWithPeer));
        Assert.False(book.HasRoomFor(peer));
        Assert.True(book.HasRoomFor(Peer(8)));
    }

    [Fact]
    public void Invites_from_many_strangers_fill_the_strangers_share_and_no_further()
    {
        var book = new CallBook(Self, new SeededRandomSource(3));
        for (var peer = 0; peer < CallBook.MaxCalls + 40; peer++)
        {
            book.Handle(Start, Peer(peer), Invite((UInt128)(peer + 1)));
        }

        Assert.Equal(CallBook.MaxStrangerCalls, book.Calls.Count);
        Assert.Equal(CallBook.MaxCalls + 40 - CallBook.MaxStrangerCalls, book.DropCount(CallDropReason.TooManyStrangerCalls));
    }

    [Fact]
    public void Invites_from_many_contacts_fill_the_book_to_its_cap_and_no_further()
    {
        var book = new CallBook(Self, new SeededRandomSource(3));
        book.SetContacts(Enumerable.Range(0, CallBook.MaxCalls + 40).Select(Peer));
        for (var peer = 0; peer < CallBook.MaxCalls + 40; peer++)
        {
            book.Handle(Start, Peer(peer), Invite((UInt128)(peer + 1)));
        }

        Assert.Equal(CallBook.MaxCalls, book.Calls.Count);
        Assert.Equal(40, book.DropCount(CallDropReason.TooManyCalls));
    }

    [Fact]
    public void Once_refused_calls_have_settled_a_peer_over_its_share_is_heard_again_in_place_of_its_oldest()
    {
        var book = new CallBook(Self, new SeededRandomSource(3));
        var peer = Peer(7);
        for (var call = 1; call <= CallBook.MaxCallsPerPeer; call++)
        {
            book.Handle(Start, peer, Invite((UInt128)call));
        }

        // Nobody acknowledges the refusals or answers the first call: every call gives up and settles.
        var later = Start + TimeSpan.FromMinutes(1);
        book.HandleTimeout(later);
        Assert.True(book.HasRoomFor(peer));

        book.Handle(later, peer, Invite(1000));
        Assert.Equal(CallBook.MaxCallsPerPeer, book.Calls.Count);
        Assert.NotNull(book.Find(1000));
        Assert.Equal(0, book.DropCount(CallDropReason.TooManyCallsWithPeer));
    }

    private static HashAddress Peer(int n)
    {
        var bytes = new byte[HashAddress.Length];
        BitConverter.TryWriteBytes(bytes, n + 1000);
        return HashAddress.FromBytes(bytes);
    }

    private static byte[] Invite(UInt128 callId) => CallMessageCodec.Encode(new CallMessage.Invite(callId, MediaOffer.Create(11, 12)));
}
