using Pype.Core.Calls;
using Xunit;

namespace Pype.Core.Tests.Calls;

public sealed class CallReliabilityTests
{
    private const int Alice = 0;
    private const int Bob = 1;

    private static MediaOffer Offer => MediaOffer.Create(100, 101);

    private static UInt128 Call(CallScenario net) => net.Do(Alice, (book, now) => book.Place(now, net.Hash(Bob), Offer));

    private static UInt128 EstablishedCall(CallScenario net)
    {
        var id = Call(net);
        net.RunFor(TimeSpan.FromSeconds(2));
        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(8));
        return id;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Call_is_established_and_ended_on_both_sides_despite_20_percent_loss(int seed)
    {
        var net = new CallScenario(seed: seed, loss: 0.2);
        var id = EstablishedCall(net);
        Assert.Single(net.EventsOf<CallEvent.Established>(Alice));
        Assert.Single(net.EventsOf<CallEvent.Established>(Bob));

        net.Do(Alice, (book, now) => book.HangUp(now, id));
        net.RunFor(TimeSpan.FromSeconds(10));

        Assert.Equal(CallEndReason.HungUpRemote, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
        Assert.Single(net.EventsOf<CallEvent.IncomingCall>(Bob));
        Assert.Single(net.EventsOf<CallEvent.Ringing>(Alice));
    }

    [Fact]
    public void Unacknowledged_invite_is_sent_again_after_250_ms_doubling_to_2_s()
    {
        var net = new CallScenario();
        net.Cut(Alice, Bob);
        Call(net);
        net.RunFor(TimeSpan.FromSeconds(10));

        var offsets = net.Sent[Alice].Take(8).Select(sent => (sent.At - CallScenario.Start).TotalMilliseconds);
        Assert.Equal([0, 250, 750, 1750, 3750, 5750, 7750, 9750], offsets);
        Assert.Equal(7, net.Books[Alice].Retransmissions);
    }

    [Fact]
    public void Callee_that_is_never_reached_ends_the_call_for_want_of_an_answer()
    {
        var net = new CallScenario();
        net.Cut(Alice, Bob);
        Call(net);
        net.RunFor(TimeSpan.FromSeconds(14.9));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Alice));

        net.RunFor(TimeSpan.FromSeconds(0.2));

        Assert.Equal(CallEndReason.TimeoutNoAnswerFromPeer, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
    }

    [Fact]
    public void Callee_whose_answer_meets_silence_gives_up_after_5_seconds()
    {
        var net = new CallScenario();
        var id = Call(net);
        net.RunFor(TimeSpan.FromSeconds(2));
        net.Cut(Bob, Alice);
        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(4.9));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Bob));

        net.RunFor(TimeSpan.FromSeconds(0.2));

        Assert.Equal(CallEndReason.TimeoutNoAnswerFromPeer, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
    }

    [Fact]
    public void Duplicated_messages_raise_each_event_once()
    {
        var net = new CallScenario(duplicate: 1.0);
        var id = EstablishedCall(net);
        net.Do(Bob, (book, now) => book.HangUp(now, id));
        net.RunFor(TimeSpan.FromSeconds(2));

        foreach (var node in new[] { Alice, Bob })
        {
            Assert.Equal(3, net.Events[node].Count);
            Assert.Single(net.EventsOf<CallEvent.Established>(node));
            Assert.Single(net.EventsOf<CallEvent.Ended>(node));
        }

        Assert.True(net.Books[Alice].DropCount(CallDropReason.Duplicate) > 0);
    }

    [Fact]
    public void Replayed_messages_of_a_finished_call_change_nothing()
    {
        var net = new CallScenario();
        var id = EstablishedCall(net);
        net.Do(Alice, (book, now) => book.HangUp(now, id));
        net.RunFor(TimeSpan.FromSeconds(2));
        var eventsBefore = (net.Events[Alice].Count, net.Events[Bob].Count);

        foreach (var (_, _, bytes) in net.Sent[Alice].ToList()) net.Inject(Alice, Bob, bytes);
        foreach (var (_, _, bytes) in net.Sent[Bob].ToList()) net.Inject(Bob, Alice, bytes);
        net.RunFor(TimeSpan.FromSeconds(10));

        Assert.Equal(eventsBefore, (net.Events[Alice].Count, net.Events[Bob].Count));
        Assert.Equal(CallState.Ended, net.Books[Bob].Find(id)!.State);
    }

    [Fact]
    public void Garbage_and_strangers_messages_are_dropped_and_counted()
    {
        var net = new CallScenario(nodeCount: 3);
        var id = EstablishedCall(net);

        net.Inject(Alice, Bob, [0x30, 0x01, 0x02]);
        net.Inject(Alice, Bob, []);
        net.Inject(Alice, Bob, CallMessageCodec.Encode(new CallMessage.HangUp(id + 1, HangUpReason.Normal)));
        net.Inject(2, Bob, CallMessageCodec.Encode(new CallMessage.HangUp(id, HangUpReason.Normal)));
        net.Inject(Alice, Bob, CallMessageCodec.Encode(new CallMessage.Ringing(id)));

        var bob = net.Books[Bob];
        Assert.Equal(2, bob.DropCount(CallDropReason.Malformed));
        Assert.Equal(1, bob.DropCount(CallDropReason.UnknownCall));
        Assert.Equal(1, bob.DropCount(CallDropReason.WrongPeer));
        Assert.Equal(1, bob.DropCount(CallDropReason.UnexpectedMessage));
        Assert.Equal(CallState.Established, bob.Find(id)!.State);
    }

    [Fact]
    public void Accept_that_exceeds_the_offer_is_dropped_as_an_invalid_answer()
    {
        var net = new CallScenario();
        var id = Call(net);
        net.RunFor(TimeSpan.FromSeconds(1));
        var greedy = Offer with { Limits = new VideoLimits(3840, 2160, 60, 20_000) };

        net.Inject(Bob, Alice, CallMessageCodec.Encode(new CallMessage.Accept(id, greedy)));

        Assert.Equal(1, net.Books[Alice].DropCount(CallDropReason.InvalidAnswer));
        Assert.Equal(CallState.Ringing, net.Books[Alice].Find(id)!.State);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Call_seen_in_the_call_list_and_directly_rings_once(bool callListFirst)
    {
        var net = new CallScenario();
        if (callListFirst) net.Cut(Alice, Bob);
        var id = Call(net);
        net.RunFor(TimeSpan.FromSeconds(0.5));
        net.Do(Bob, (book, now) => { book.IncomingFromCallList(now, id, net.Hash(Alice), Offer); return 0; });
        net.Heal(Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(3));

        var incoming = Assert.Single(net.EventsOf<CallEvent.IncomingCall>(Bob));
        Assert.Equal(callListFirst ? IncomingCallSource.CallList : IncomingCallSource.Direct, incoming.Source);
        Assert.Single(net.EventsOf<CallEvent.Ringing>(Alice));
    }

    [Fact]
    public void Callee_that_only_sees_the_call_list_connects_back_and_the_call_is_established()
    {
        var net = new CallScenario();
        net.Cut(Alice, Bob);
        var id = Call(net);
        net.RunFor(TimeSpan.FromSeconds(10));
        net.Do(Bob, (book, now) => { book.IncomingFromCallList(now, id, net.Hash(Alice), Offer); return 0; });
        net.Heal(Alice, Bob); // Bob's connect-back opened a session both ways
        net.RunFor(TimeSpan.FromSeconds(2));
        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(2));

        Assert.Equal(IncomingCallSource.CallList, Assert.Single(net.EventsOf<CallEvent.IncomingCall>(Bob)).Source);
        Assert.Single(net.EventsOf<CallEvent.Established>(Alice));
        Assert.Single(net.EventsOf<CallEvent.Established>(Bob));
    }
}
