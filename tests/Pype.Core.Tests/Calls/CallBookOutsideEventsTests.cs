using Pype.Core.Calls;
using Pype.Core.Replication;
using Xunit;

namespace Pype.Core.Tests.Calls;

/// <summary>What a call learns from outside its own messages: call-list tombstones and a lost session.</summary>
public sealed class CallBookOutsideEventsTests
{
    private const int Alice = 0;
    private const int Bob = 1;
    private const int Carol = 2;

    private static UInt128 Call(CallScenario net, int from, int to) =>
        net.Do(from, (book, now) => book.Place(now, net.Hash(to), MediaOffer.Create(100, 101)));

    [Fact]
    public void A_callee_ringing_from_the_call_list_stops_when_the_caller_hangs_up_there()
    {
        var net = new CallScenario();
        net.Cut(Alice, Bob);
        net.Cut(Bob, Alice);
        var id = Call(net, Alice, Bob);
        net.Do(Bob, (book, now) => { book.IncomingFromCallList(now, id, net.Hash(Alice), MediaOffer.Create(100, 101)); return 0; });
        Assert.Single(net.EventsOf<CallEvent.IncomingCall>(Bob));

        var ended = net.Do(Bob, (book, now) => book.EndedInCallList(now, id, net.Hash(Alice), CallEntryKind.HungUp));

        Assert.True(ended);
        Assert.Equal(CallEndReason.HungUpRemote, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
        Assert.Equal(CallState.Ended, net.Books[Bob].Find(id)!.State);
    }

    [Fact]
    public void A_caller_hears_a_rejection_written_in_the_call_list()
    {
        var net = new CallScenario();
        net.Cut(Alice, Bob);
        var id = Call(net, Alice, Bob);

        Assert.True(net.Do(Alice, (book, now) => book.EndedInCallList(now, id, net.Hash(Bob), CallEntryKind.Rejected)));
        Assert.Equal(CallEndReason.Rejected, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
    }

    [Fact]
    public void Tombstones_from_a_third_party_or_of_an_answer_change_nothing()
    {
        var net = new CallScenario(nodeCount: 3);
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.False(net.Do(Alice, (book, now) => book.EndedInCallList(now, id, net.Hash(Carol), CallEntryKind.HungUp)));
        Assert.False(net.Do(Alice, (book, now) => book.EndedInCallList(now, id, net.Hash(Bob), CallEntryKind.Answered)));
        Assert.False(net.Do(Alice, (book, now) => book.EndedInCallList(now, UInt128.One, net.Hash(Bob), CallEntryKind.HungUp)));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Alice));
    }

    [Fact]
    public void A_lost_session_ends_established_calls_with_that_peer_only()
    {
        var net = new CallScenario(nodeCount: 3);
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(1));

        net.Do(Alice, (book, now) => { book.LinkLost(now, net.Hash(Carol)); return 0; });
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Alice));

        net.Do(Alice, (book, now) => { book.LinkLost(now, net.Hash(Bob)); return 0; });
        Assert.Equal(CallEndReason.ConnectionLost, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
    }

    [Fact]
    public void A_lost_session_leaves_a_call_in_setup_to_its_retries()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.Do(Alice, (book, now) => { book.LinkLost(now, net.Hash(Bob)); return 0; });
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Empty(net.EventsOf<CallEvent.Ended>(Alice));
        Assert.Single(net.EventsOf<CallEvent.Ringing>(Alice));
        Assert.Equal(CallState.Ringing, net.Books[Alice].Find(id)!.State);
    }

    [Fact]
    public void Calling_yourself_is_refused()
    {
        var net = new CallScenario();
        Assert.Throws<ArgumentException>(() => Call(net, Alice, Alice));
    }
}
