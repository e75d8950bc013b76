using CsCheck;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Calls;

public sealed class CallBookTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private static readonly HashAddress A = Hash(1), B = Hash(2), C = Hash(3);
    private static readonly byte[] Offer = "offer"u8.ToArray(), AnswerBytes = "answer"u8.ToArray();

    private static HashAddress Hash(byte n) => HashAddress.FromPublicKey(Enumerable.Repeat(n, 32).ToArray());

    /// <summary>Call books joined by a link that loses a share of messages and delays each by 20 ms.</summary>
    private sealed class Link(double loss, int seed)
    {
        private readonly Random random = new(seed);
        private readonly PriorityQueue<(HashAddress To, HashAddress From, byte[] Bytes), DateTimeOffset> inFlight = new();
        public Dictionary<HashAddress, CallBook> Books { get; } = [];
        public Dictionary<HashAddress, List<CallEvent>> Events { get; } = [];
        public DateTimeOffset Now { get; private set; } = Start;
        public List<string> Trace { get; } = [];

        public CallBook Add(HashAddress who)
        {
            Books[who] = new CallBook(who);
            Events[who] = [];
            return Books[who];
        }

        public void Run(TimeSpan span)
        {
            var end = Now + span;
            while (true)
            {
                Drain();
                DateTimeOffset? next = Books.Values.Select(b => b.NextDeadline).Where(d => d is not null).Min();
                if (inFlight.TryPeek(out _, out var arrival) && (next is null || arrival < next)) next = arrival;
                if (next is null || next > end) break;
                Now = next.Value > Now ? next.Value : Now;
                while (inFlight.TryPeek(out var message, out var at) && at <= Now)
                {
                    inFlight.Dequeue();
                    Books[message.To].HandleMessage(Now, message.From, message.Bytes);
                }
                foreach (var book in Books.Values)
                    if (book.NextDeadline <= Now) book.HandleTimeout(Now);
            }
            Now = end;
        }

        private void Drain()
        {
            foreach (var (who, book) in Books)
            {
                while (book.PollSend() is { } send)
                {
                    var lost = random.NextDouble() < loss;
                    Trace.Add($"{Now:ss.fff} {who.Short}->{send.Peer.Short} {(Pype.Core.Session.SessionMessageType)send.Bytes[0]}{(lost ? " LOST" : "")}");
                    if (!lost) inFlight.Enqueue((send.Peer, who, send.Bytes), Now.AddMilliseconds(20));
                }
                while (book.PollEvent() is { } e) Events[who].Add(e);
            }
        }
    }

    [Fact]
    public void A_placed_call_rings_is_answered_and_both_sides_are_established_with_the_setup_time()
    {
        var link = new Link(0, 1);
        var a = link.Add(A);
        var b = link.Add(B);
        Assert.True(a.Place(link.Now, B, 7, Offer));
        link.Run(TimeSpan.FromMilliseconds(100));
        Assert.Contains(link.Events[B], e => e is CallEvent.Incoming i && i.CallId == 7);
        Assert.Contains(link.Events[A], e => e is CallEvent.RingingAtPeer);
        Assert.True(b.Answer(link.Now, 7, AnswerBytes));
        link.Run(TimeSpan.FromMilliseconds(100));
        var established = Assert.Single(link.Events[A].OfType<CallEvent.Established>());
        Assert.Equal(AnswerBytes, established.Answer);
        Assert.Equal(TimeSpan.FromMilliseconds(120), established.Setup);
        Assert.Single(link.Events[B].OfType<CallEvent.Established>());
    }

    [Fact]
    public void A_rejected_call_ends_on_both_sides()
    {
        var link = new Link(0, 2);
        var a = link.Add(A);
        var b = link.Add(B);
        a.Place(link.Now, B, 7, Offer);
        link.Run(TimeSpan.FromMilliseconds(100));
        Assert.True(b.Reject(link.Now, 7));
        link.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(CallEndReason.Rejected, Assert.Single(link.Events[A].OfType<CallEvent.Ended>()).Reason);
        Assert.Null(a.Active);
        Assert.Null(b.Active);
    }

    [Fact]
    public void A_second_caller_hears_busy_and_the_first_call_goes_on()
    {
        var link = new Link(0, 3);
        var a = link.Add(A);
        var b = link.Add(B);
        var c = link.Add(C);
        a.Place(link.Now, B, 7, Offer);
        link.Run(TimeSpan.FromMilliseconds(100));
        b.Answer(link.Now, 7, AnswerBytes);
        c.Place(link.Now, B, 9, Offer);
        link.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(CallEndReason.Busy, Assert.Single(link.Events[C].OfType<CallEvent.Ended>()).Reason);
        Assert.DoesNotContain(link.Events[B], e => e is CallEvent.Incoming i && i.CallId == 9);
        Assert.Equal(CallState.Established, b.Active!.Value.State);
    }

    [Fact]
    public void When_both_call_each_other_at_once_exactly_one_call_is_established_on_both_sides()
    {
        var link = new Link(0, 4);
        var a = link.Add(A);
        var b = link.Add(B);
        a.Place(link.Now, B, 7, Offer);
        b.Place(link.Now, A, 8, Offer);
        link.Run(TimeSpan.FromSeconds(1));
        var atA = Assert.Single(link.Events[A].OfType<CallEvent.Established>());
        var atB = Assert.Single(link.Events[B].OfType<CallEvent.Established>());
        Assert.Equal(atA.CallId, atB.CallId);
        Assert.Equal(atA.CallId, a.Active!.Value.Id);
        Assert.Equal(atA.CallId, b.Active!.Value.Id);
    }

    [Fact]
    public void An_unanswered_call_gives_up_after_the_ringing_timeout_on_both_sides()
    {
        var link = new Link(0, 5);
        var a = link.Add(A);
        link.Add(B);
        a.Place(link.Now, B, 7, Offer);
        link.Run(TimeSpan.FromSeconds(44));
        Assert.Empty(link.Events[A].OfType<CallEvent.Ended>());
        link.Run(TimeSpan.FromSeconds(2));
        Assert.Equal(CallEndReason.RingingTimedOut, Assert.Single(link.Events[A].OfType<CallEvent.Ended>()).Reason);
        Assert.Single(link.Events[B].OfType<CallEvent.Ended>());
    }

    [Fact]
    public void Hanging_up_ends_the_call_on_both_sides()
    {
        var link = new Link(0, 6);
        var a = link.Add(A);
        var b = link.Add(B);
        a.Place(link.Now, B, 7, Offer);
        link.Run(TimeSpan.FromMilliseconds(100));
        b.Answer(link.Now, 7, AnswerBytes);
        link.Run(TimeSpan.FromMilliseconds(100));
        Assert.True(b.HangUp(link.Now, 7));
        link.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(CallEndReason.HungUpRemotely, Assert.Single(link.Events[A].OfType<CallEvent.Ended>()).Reason);
        Assert.Equal(CallEndReason.HungUpLocally, Assert.Single(link.Events[B].OfType<CallEvent.Ended>()).Reason);
    }

    [Fact]
    public void A_call_to_a_silent_peer_ends_as_peer_silent()
    {
        var link = new Link(1.0, 7);
        var a = link.Add(A);
        link.Add(B);
        a.Place(link.Now, B, 7, Offer);
        link.Run(TimeSpan.FromSeconds(6));
        Assert.Equal(CallEndReason.PeerSilent, Assert.Single(link.Events[A].OfType<CallEvent.Ended>()).Reason);
    }

    [Fact]
    public void Calls_are_set_up_and_torn_down_through_20_percent_loss()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var link = new Link(0.2, 100 + seed);
            var a = link.Add(A);
            var b = link.Add(B);
            a.Place(link.Now, B, 7, Offer);
            link.Run(TimeSpan.FromSeconds(3));
            Assert.True(b.Answer(link.Now, 7, AnswerBytes), $"seed {seed}: the call never rang");
            // Repeats at +0, 0.25, 0.75, 1.75, 3.75 and 7.75 s: ten seconds outlast any plausible run of losses.
            link.Run(TimeSpan.FromSeconds(10));
            Assert.True(link.Events[A].OfType<CallEvent.Established>().Count() == 1,
                $"seed {seed}: " + string.Join(" | ", link.Trace));
            a.HangUp(link.Now, 7);
            link.Run(TimeSpan.FromSeconds(10));
            Assert.Equal(CallEndReason.HungUpRemotely, Assert.Single(link.Events[B].OfType<CallEvent.Ended>()).Reason);
        }
    }

    [Fact]
    public void Garbage_never_throws_and_is_counted()
    {
        var book = new CallBook(A);
        Gen.Byte.Array[0, 600].Sample(bytes => book.HandleMessage(Start, B, bytes), iter: 100_000);
        Assert.True(book.DropCount(CallDropReason.Malformed) > 0);
        var valid = CallMessageCodec.Encode(new CallMessage.Invite(5, Offer));
        Gen.Int[0, valid.Length * 8 - 1].Sample(bit =>
        {
            var flipped = (byte[])valid.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            _ = CallMessageCodec.Decode(flipped);
            for (var cut = 0; cut < valid.Length; cut++) Assert.Null(CallMessageCodec.Decode(valid.AsSpan(0, cut)));
        }, iter: 2_000);
    }

    [Fact]
    public void Every_message_round_trips()
    {
        CallMessage[] messages =
        [
            new CallMessage.Invite(UInt128.MaxValue, Offer), new CallMessage.Ringing(1), new CallMessage.Accept(2, AnswerBytes),
            new CallMessage.Reject(3, RejectReason.Busy), new CallMessage.HangUp(4, HangUpReason.RingingTimedOut),
            new CallMessage.Ack(5, Pype.Core.Session.SessionMessageType.CallHangUp),
        ];
        foreach (var message in messages)
        {
            var decoded = CallMessageCodec.Decode(CallMessageCodec.Encode(message));
            Assert.NotNull(decoded);
            Assert.Equal(CallMessageCodec.Encode(message), CallMessageCodec.Encode(decoded!));
        }
    }
}
