using CsCheck;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Calls;

/// <summary>
/// Calls are named by (peer, call id), strangers' invites cannot crowd out a contact's call, and
/// no stream of hostile signalling makes the book throw or outgrow its caps.
/// </summary>
public sealed class CallBookHostilePeersTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HashAddress Self = Peer(-1);
    private static readonly HashAddress Caller = Peer(1);
    private static readonly HashAddress ThirdParty = Peer(2);

    [Fact]
    public void A_third_party_reusing_a_ringing_calls_id_gets_a_call_of_its_own_and_never_touches_the_real_one()
    {
        var book = new CallBook(Self, new SeededRandomSource(1));
        const ulong id = 0xCA11;
        book.Handle(Start, Caller, Encode(new CallMessage.Invite(id, Offer)));
        Drain(book);

        book.Handle(Start, ThirdParty, Encode(new CallMessage.Invite(id, Offer)));
        book.Handle(Start, ThirdParty, Encode(new CallMessage.HangUp(id, HangUpReason.Normal)));
        book.Handle(Start, ThirdParty, Encode(new CallMessage.Ack(id, Session.SessionMessageType.CallRinging)));

        var real = book.Find(Caller, id)!;
        var imposter = book.Find(ThirdParty, id)!;
        Assert.Equal(CallState.Ringing, real.State);
        Assert.Equal(CallEndReason.Busy, imposter.EndReason);
        var sent = Drain(book);
        Assert.All(sent, message => Assert.Equal(ThirdParty, message.Peer));
        Assert.Contains(sent, message => Decode(message) is CallMessage.Reject { Reason: RejectReason.Busy });

        Assert.True(book.Answer(Start, id));
        var accept = Assert.Single(Drain(book));
        Assert.Equal(Caller, accept.Peer);
        Assert.IsType<CallMessage.Accept>(Decode(accept));
        book.Handle(Start, Caller, Encode(new CallMessage.Ack(id, Session.SessionMessageType.CallAccept)));
        Assert.Equal(CallState.Established, real.State);
    }

    [Fact]
    public void A_third_party_answering_our_call_with_its_public_id_is_dropped_and_the_callee_still_answers()
    {
        var book = new CallBook(Self, new SeededRandomSource(1));
        var id = book.Place(Start, Caller, Offer);
        Drain(book);

        book.Handle(Start, ThirdParty, Encode(new CallMessage.Ringing(id)));
        book.Handle(Start, ThirdParty, Encode(new CallMessage.Accept(id, Offer.AnswerWith(VideoLimits.Default, 7, 8))));
        book.Handle(Start, ThirdParty, Encode(new CallMessage.Reject(id, RejectReason.Declined)));

        Assert.Equal(3, book.DropCount(CallDropReason.WrongPeer));
        Assert.Null(book.Find(ThirdParty, id));
        Assert.Equal(CallState.Calling, book.Find(Caller, id)!.State);

        book.Handle(Start, Caller, Encode(new CallMessage.Ringing(id)));
        book.Handle(Start, Caller, Encode(new CallMessage.Accept(id, Offer.AnswerWith(VideoLimits.Default, 7, 8))));
        Assert.Equal(CallState.Established, book.Find(Caller, id)!.State);
    }

    [Fact]
    public void After_20000_junk_invites_from_strangers_a_contacts_call_rings_and_is_established()
    {
        var book = new CallBook(Self, new SeededRandomSource(2));
        var contact = Peer(1_000_000);
        book.SetContacts([contact]);
        var now = Start;
        for (var junk = 0; junk < 20_000; junk++)
        {
            now += TimeSpan.FromMilliseconds(1);
            book.Handle(now, Peer(junk % 5_000), Encode(new CallMessage.Invite((UInt128)junk + 1, Offer)));
            if (junk % 100 == 0 && book.NextDeadline is { } due && due <= now)
            {
                book.HandleTimeout(now);
            }

            Assert.InRange(book.Calls.Count, 0, CallBook.MaxCalls);
            Assert.InRange(book.Calls.Count(call => !book.IsContact(call.Peer) && call.Role == CallRole.Callee), 0, CallBook.MaxStrangerCalls);
            Drain(book);
        }

        // A stranger's junk call rings here: the contact's call takes its place.
        Assert.Contains(book.Calls, call => call.State == CallState.Ringing);
        const ulong id = 0xC0C0;
        book.Handle(now, contact, Encode(new CallMessage.Invite(id, Offer)));
        var call = book.Find(contact, id)!;
        Assert.Equal(CallState.Ringing, call.State);
        Assert.Single(book.Calls, live => live.State != CallState.Ended);
        Assert.Contains(Events(book), incoming => incoming is CallEvent.IncomingCall { Caller: var from } && from == contact);

        Assert.True(book.Answer(now, contact, id));
        book.Handle(now, contact, Encode(new CallMessage.Ack(id, Session.SessionMessageType.CallAccept)));
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public void Strangers_fill_no_more_than_their_share_and_a_contact_pushes_out_an_unsettled_refusal()
    {
        var book = new CallBook(Self, new SeededRandomSource(2));
        var contacts = Enumerable.Range(0, CallBook.MaxCalls).Select(n => Peer(1_000_000 + n)).ToArray();
        book.SetContacts(contacts);
        for (var stranger = 0; stranger < CallBook.MaxCalls; stranger++)
        {
            book.Handle(Start, Peer(stranger), Encode(new CallMessage.Invite((UInt128)stranger + 1, Offer)));
        }

        Assert.Equal(CallBook.MaxStrangerCalls, book.Calls.Count);
        Assert.Equal(CallBook.MaxCalls - CallBook.MaxStrangerCalls, book.DropCount(CallDropReason.TooManyStrangerCalls));

        // Contacts' calls (refused busy while one rings) fill the rest, then push out strangers' refusals.
        for (var n = 0; n < CallBook.MaxCalls - CallBook.MaxStrangerCalls + 10; n++)
        {
            book.Handle(Start, contacts[n], Encode(new CallMessage.Invite(0xC000 + (UInt128)n, Offer)));
        }

        Assert.Equal(CallBook.MaxCalls, book.Calls.Count);
        Assert.Equal(0, book.DropCount(CallDropReason.TooManyCalls));
        Assert.Equal(CallBook.MaxStrangerCalls - 10, book.Calls.Count(call => !book.IsContact(call.Peer)));
    }

    [Fact]
    public void A_contact_does_not_displace_another_contacts_ringing_call()
    {
        var book = new CallBook(Self, new SeededRandomSource(2));
        var first = Peer(10);
        var second = Peer(11);
        book.SetContacts([first, second]);
        book.Handle(Start, first, Encode(new CallMessage.Invite(1, Offer)));
        book.Handle(Start, second, Encode(new CallMessage.Invite(2, Offer)));

        Assert.Equal(CallState.Ringing, book.Find(first, 1)!.State);
        Assert.Equal(CallEndReason.Busy, book.Find(second, 2)!.EndReason);
    }

    /// <summary>The Done-when property: at least 100,000 hostile inputs, no exception, tables within bounds.</summary>
    [Fact]
    public void A_hundred_thousand_hostile_inputs_never_throw_and_keep_the_book_within_its_caps()
    {
        var inputs = 0;
        Gen.Int.Sample(seed => inputs += Run(seed, steps: 26_000), iter: 4, threads: 1);
        Assert.True(inputs >= 100_000);
    }

    private static int Run(int seed, int steps)
    {
        var random = new Random(seed);
        var book = new CallBook(Self, new SeededRandomSource(seed));
        var peers = Enumerable.Range(0, 300).Select(Peer).ToArray();
        book.SetContacts(peers.Take(5));
        var ids = Enumerable.Range(1, 16).Select(n => (UInt128)n).ToList();
        var now = Start;
        for (var step = 0; step < steps; step++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 400));
            var peer = peers[random.Next(peers.Length)];
            var callId = random.Next(5) == 0 ? (UInt128)random.NextInt64() : ids[random.Next(ids.Count)];
            switch (random.Next(10))
            {
                case < 6:
                    book.Handle(now, peer, Encode(RandomMessage(random, callId)));
                    break;
                case 6:
                    var garbage = new byte[random.Next(0, 60)];
                    random.NextBytes(garbage);
                    book.Handle(now, peer, garbage);
                    break;
                case 7:
                    book.IncomingFromCallList(now, callId, peer, Offer);
                    break;
                case 8:
                    if (book.HasRoomFor(peer))
                    {
                        ids.Add(book.Place(now, peer, Offer));
                    }

                    _ = random.Next(3) switch
                    {
                        0 => book.Answer(now, callId),
                        1 => book.Reject(now, peer, callId),
                        _ => book.HangUp(now, callId),
                    };
                    break;
                default:
                    if (book.NextDeadline is { } deadline)
                    {
                        now = deadline > now ? deadline : now;
                        book.HandleTimeout(now);
                    }

                    break;
            }

            Drain(book);
            Events(book);
            Assert.InRange(book.Calls.Count, 0, CallBook.MaxCalls);
            if (step % 64 == 0)
            {
                Assert.InRange(book.Calls.Count(call => !book.IsContact(call.Peer) && call.Role == CallRole.Callee), 0, CallBook.MaxStrangerCalls);
                Assert.All(book.Calls.GroupBy(call => call.Peer), withPeer => Assert.InRange(withPeer.Count(), 0, CallBook.MaxCallsPerPeer));
            }
        }

        return steps;
    }

    private static CallMessage RandomMessage(Random random, UInt128 callId) => random.Next(6) switch
    {
        0 or 1 => new CallMessage.Invite(callId, Offer),
        2 => new CallMessage.Ringing(callId),
        3 => new CallMessage.Accept(callId, MediaOffer.Create((uint)random.Next(1, 5), (uint)random.Next(5, 9))),
        4 => random.Next(2) == 0 ? new CallMessage.Reject(callId, RejectReason.Busy) : new CallMessage.HangUp(callId, HangUpReason.Normal),
        _ => new CallMessage.Ack(callId, (Session.SessionMessageType)random.Next(0x30, 0x36)),
    };

    private static MediaOffer Offer => MediaOffer.Create(11, 12);

    private static byte[] Encode(CallMessage message) => CallMessageCodec.Encode(message);

    private static CallMessage Decode(OutgoingCallMessage sent) => CallMessageCodec.TryDecode(sent.Bytes, out var message) ? message : throw new InvalidOperationException("undecodable");

    private static List<OutgoingCallMessage> Drain(CallBook book)
    {
        var sent = new List<OutgoingCallMessage>();
        while (book.PollSend() is { } message)
        {
            sent.Add(message);
        }

        return sent;
    }

    private static List<CallEvent> Events(CallBook book)
    {
        var raised = new List<CallEvent>();
        while (book.PollEvent() is { } callEvent)
        {
            raised.Add(callEvent);
        }

        return raised;
    }

    private static HashAddress Peer(int n)
    {
        var bytes = new byte[HashAddress.Length];
        BitConverter.TryWriteBytes(bytes, n + 1000);
        bytes[^1] = 0x5A;
        return HashAddress.FromBytes(bytes);
    }
}
