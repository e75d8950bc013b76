using Pype.Core.Calls;
using Xunit;

namespace Pype.Core.Tests.Calls;

public sealed class CallBookTests
{
    private const int Alice = 0;
    private const int Bob = 1;
    private const int Carol = 2;

    private static MediaOffer Offer(uint ssrc = 100) => MediaOffer.Create(ssrc, ssrc + 1);

    private static UInt128 Call(CallScenario net, int from, int to, MediaOffer? offer = null) =>
        net.Do(from, (book, now) => book.Place(now, net.Hash(to), offer ?? Offer()));

    [Fact]
    public void Answered_call_is_established_on_both_sides_with_its_setup_time()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(2));

        var incoming = Assert.Single(net.EventsOf<CallEvent.IncomingCall>(Bob));
        Assert.Equal((id, net.Hash(Alice), IncomingCallSource.Direct), (incoming.CallId, incoming.Caller, incoming.Source));
        Assert.Single(net.EventsOf<CallEvent.Ringing>(Alice));

        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(1));

        var callerSide = Assert.Single(net.EventsOf<CallEvent.Established>(Alice));
        var calleeSide = Assert.Single(net.EventsOf<CallEvent.Established>(Bob));
        Assert.InRange(callerSide.SetupTime, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.2));
        Assert.InRange(calleeSide.SetupTime, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.2));
        Assert.Equal(callerSide.RemoteMedia, calleeSide.LocalMedia);
        Assert.Equal(calleeSide.RemoteMedia, callerSide.LocalMedia);
        Assert.Equal(CallState.Established, net.Books[Alice].Find(id)!.State);
        Assert.Equal(CallState.Established, net.Books[Bob].Find(id)!.State);
    }

    [Fact]
    public void The_answer_sent_is_the_one_prepared_when_the_call_started_ringing()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        var prepared = net.Books[Bob].Find(id)!.PreparedAnswer;
        Assert.NotNull(prepared);
        Assert.Null(net.Books[Bob].Find(id)!.LocalMedia);

        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(prepared, Assert.Single(net.EventsOf<CallEvent.Established>(Bob)).LocalMedia);
        Assert.Equal(prepared, Assert.Single(net.EventsOf<CallEvent.Established>(Alice)).RemoteMedia);
    }

    [Fact]
    public void A_callee_that_never_hears_its_accept_acknowledged_gives_up_with_a_hang_up_the_caller_hears()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        net.Cut(Alice, Bob); // the Accept gets through, every ack of it is lost

        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(30));

        Assert.Single(net.EventsOf<CallEvent.Established>(Alice));
        Assert.Equal(CallEndReason.TimeoutNoAnswerFromPeer, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
        Assert.Equal(CallEndReason.HungUpRemote, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
    }

    [Fact]
    public void The_answer_keeps_within_both_sides_limits_and_brings_its_own_ssrcs()
    {
        var options = CallOptions.Default with { LocalLimits = new VideoLimits(640, 480, 60, 800) };
        var net = new CallScenario(options: options);
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(1));

        var answer = Assert.Single(net.EventsOf<CallEvent.Established>(Alice)).RemoteMedia;
        Assert.Equal(new VideoLimits(640, 480, 30, 800), answer.Limits);
        Assert.DoesNotContain(answer.VideoSsrc, new uint[] { 0, 100, 101 });
        Assert.NotEqual(answer.VideoSsrc, answer.AudioSsrc);
    }

    [Fact]
    public void Declined_call_ends_as_rejected_on_both_sides()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        net.Do(Bob, (book, now) => book.Reject(now, id));
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(CallEndReason.Rejected, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
        Assert.Equal(CallEndReason.Rejected, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
        Assert.Empty(net.EventsOf<CallEvent.Established>(Alice));
    }

    [Fact]
    public void Second_caller_hears_busy_while_the_first_call_rings_and_while_it_is_up()
    {
        var net = new CallScenario(nodeCount: 3);
        var first = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        Call(net, Carol, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        net.Do(Bob, (book, now) => book.Answer(now, first));
        net.RunFor(TimeSpan.FromSeconds(1));
        Call(net, Carol, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal([CallEndReason.Busy, CallEndReason.Busy], net.EventsOf<CallEvent.Ended>(Carol).Select(e => e.Reason));
        Assert.Single(net.EventsOf<CallEvent.IncomingCall>(Bob));
        Assert.Single(net.EventsOf<CallEvent.Established>(Bob));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Bob));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Glare_resolves_to_exactly_one_established_call_on_both_sides(int seed)
    {
        var net = new CallScenario(seed: seed, loss: seed > 2 ? 0.2 : 0);
        var fromAlice = Call(net, Alice, Bob);
        var fromBob = Call(net, Bob, Alice);
        net.RunFor(TimeSpan.FromSeconds(10));

        var alice = Assert.Single(net.EventsOf<CallEvent.Established>(Alice));
        var bob = Assert.Single(net.EventsOf<CallEvent.Established>(Bob));
        Assert.Equal(alice.CallId, bob.CallId);
        var winner = CallBook.WinsGlare(net.Hash(Alice), fromAlice, net.Hash(Bob), fromBob) ? fromAlice : fromBob;
        Assert.Equal(winner, alice.CallId);
        var loserSide = winner == fromAlice ? Bob : Alice;
        Assert.Equal(winner, Assert.Single(net.EventsOf<CallEvent.Superseded>(loserSide)).By);
        Assert.Empty(net.EventsOf<CallEvent.IncomingCall>(Alice).Concat(net.EventsOf<CallEvent.IncomingCall>(Bob)));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Alice).Concat(net.EventsOf<CallEvent.Ended>(Bob)));
    }

    [Fact]
    public void Glare_order_is_the_same_from_both_sides_and_puts_the_caller_key_first()
    {
        var net = new CallScenario();
        Assert.True(CallBook.WinsGlare(net.Hash(Alice), UInt128.MaxValue, net.Hash(Bob), 1));
        Assert.False(CallBook.WinsGlare(net.Hash(Bob), 1, net.Hash(Alice), UInt128.MaxValue));
        Assert.True(CallBook.WinsGlare(net.Hash(Alice), 1, net.Hash(Alice), 2));
    }

    [Fact]
    public void Placing_a_call_to_a_peer_who_is_ringing_us_answers_that_call()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(id, Call(net, Bob, Alice));
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(id, Assert.Single(net.EventsOf<CallEvent.Established>(Alice)).CallId);
        Assert.Equal(id, Assert.Single(net.EventsOf<CallEvent.Established>(Bob)).CallId);
    }

    [Fact]
    public void Unanswered_call_stops_ringing_after_45_seconds_on_both_sides()
    {
        var net = new CallScenario();
        Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(44.9));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Alice));
        Assert.Empty(net.EventsOf<CallEvent.Ended>(Bob));

        net.RunFor(TimeSpan.FromSeconds(0.2));

        Assert.Equal(CallEndReason.TimeoutRinging, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
        Assert.Equal(CallEndReason.TimeoutRinging, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
    }

    [Fact]
    public void Ringing_timeout_is_configurable()
    {
        var net = new CallScenario(options: CallOptions.Default with { RingingTimeout = TimeSpan.FromSeconds(10) });
        Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(10.1));

        Assert.Equal(CallEndReason.TimeoutRinging, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
    }

    [Theory]
    [InlineData(Alice, CallEndReason.HungUpLocal, CallEndReason.HungUpRemote)]
    [InlineData(Bob, CallEndReason.HungUpRemote, CallEndReason.HungUpLocal)]
    public void Hang_up_ends_the_call_on_both_sides(int hangsUp, CallEndReason alice, CallEndReason bob)
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(1));
        net.Do(Bob, (book, now) => book.Answer(now, id));
        net.RunFor(TimeSpan.FromSeconds(30));
        Assert.True(net.Do(hangsUp, (book, now) => book.HangUp(now, id)));
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(alice, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
        Assert.Equal(bob, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
        Assert.False(net.Do(hangsUp, (book, now) => book.HangUp(now, id)));
    }

    [Fact]
    public void Caller_that_gives_up_before_an_answer_stops_the_ringing()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromSeconds(3));
        net.Do(Alice, (book, now) => book.HangUp(now, id));
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(CallEndReason.HungUpRemote, Assert.Single(net.EventsOf<CallEvent.Ended>(Bob)).Reason);
        Assert.False(net.Do(Bob, (book, now) => book.Answer(now, id)));
    }

    [Fact]
    public void Offer_with_a_codec_the_callee_lacks_is_rejected_as_unsupported_without_ringing()
    {
        var net = new CallScenario();
        Call(net, Alice, Bob, Offer() with { Video = (VideoCodec)7 });
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(CallEndReason.Unsupported, Assert.Single(net.EventsOf<CallEvent.Ended>(Alice)).Reason);
        Assert.Empty(net.Events[Bob]);
    }

    [Fact]
    public void Unanswered_calls_are_forgotten_after_the_ended_call_memory()
    {
        var net = new CallScenario();
        var id = Call(net, Alice, Bob);
        net.RunFor(TimeSpan.FromMinutes(6));

        Assert.Null(net.Books[Alice].Find(id));
        Assert.Null(net.Books[Bob].Find(id));
        Assert.Null(net.Books[Alice].NextDeadline);
    }
}
