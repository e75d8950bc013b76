using Pype.Core.Calls;
using Pype.Core.Replication;
using Xunit;
using Command = Pype.Core.Calls.CallDeskCommand;
using DeskEvent = Pype.Core.Calls.CallDeskEvent;

namespace Pype.Core.Tests.Calls;

public sealed class CallDeskTests
{
    private const int Alice = 0;
    private const int Bob = 1;
    private const int Carol = 2;

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_placed_call_writes_its_invite_prepares_the_callers_media_and_routes_the_peer_to_it()
    {
        var net = new DeskNetwork();
        var id = net.Call(Alice, Bob);

        Assert.Collection(net.Commands[Alice].Where(command => command is not Command.SendSignal),
            invite => Assert.Equal(id, Assert.IsType<Command.InviteInCallList>(invite).CallId),
            prepare => Assert.Equal((id, net.Hash(Bob), (MediaOffer?)null, CallRole.Caller), Fields(Assert.IsType<Command.PrepareMedia>(prepare))),
            route => Assert.Equal(new Command.RouteMedia(net.Hash(Bob), id), route));
        Assert.Equal(id, net.Desks[Alice].MediaRouteOf(net.Hash(Bob)));
        Assert.False(net.Desks[Alice].IsFlowing(id));
    }

    [Fact]
    public void The_callee_prepares_its_answer_while_ringing_and_both_prepared_sessions_flow_once_answered()
    {
        var net = new DeskNetwork();
        var id = net.Call(Alice, Bob);
        net.RunFor(Settle);

        var prepared = Assert.Single(net.CommandsOf<Command.PrepareMedia>(Bob));
        Assert.Equal((id, net.Hash(Alice), CallRole.Callee), (prepared.CallId, prepared.Peer, prepared.Role));
        Assert.NotNull(prepared.Remote);
        Assert.Single(net.EventsOf<DeskEvent.Ringing>(Alice));

        var answered = net.Do(Bob, (desk, now) => desk.Answer(now, null));
        Assert.Equal(id, answered.CallId);
        // The callee receives from its answer on: the caller sends as soon as the accept arrives.
        Assert.True(net.Desks[Bob].IsFlowing(id));
        net.RunFor(Settle);

        Assert.Single(net.CommandsOf<Command.ReleaseMedia>(Alice));
        Assert.Single(net.CommandsOf<Command.ReleaseMedia>(Bob));
        Assert.Empty(net.CommandsOf<Command.StartMedia>(Alice).Concat(net.CommandsOf<Command.StartMedia>(Bob)));
        Assert.All(new[] { Alice, Bob }, side => Assert.Equal(id, Assert.Single(net.Desks[side].FlowingCalls).CallId));
        Assert.NotNull(Assert.Single(net.Desks[Alice].FlowingCalls).EstablishedAt);
    }

    [Fact]
    public void Without_preparing_while_ringing_an_answer_starts_fresh_media_sessions_and_routes_them()
    {
        var net = new DeskNetwork(options: new CallDeskOptions { PrepareMediaWhileRinging = false });
        var id = net.Call(Alice, Bob);
        net.RunFor(Settle);
        Assert.Empty(net.CommandsOf<Command.PrepareMedia>(Alice).Concat(net.CommandsOf<Command.PrepareMedia>(Bob)));

        net.Do(Bob, (desk, now) => desk.Answer(now, null));
        net.RunFor(Settle);

        foreach (var (side, peer) in new[] { (Alice, Bob), (Bob, Alice) })
        {
            var start = Assert.Single(net.CommandsOf<Command.StartMedia>(side));
            Assert.Equal((id, net.Hash(peer)), (start.CallId, start.Peer));
            Assert.Equal(new Command.RouteMedia(net.Hash(peer), id), net.CommandsOf<Command.RouteMedia>(side).Last());
        }
    }

    [Fact]
    public void A_second_caller_while_one_rings_is_refused_busy_and_starts_no_media_here()
    {
        var net = new DeskNetwork(3);
        net.Call(Alice, Bob);
        net.RunFor(Settle);
        var second = net.Call(Carol, Bob);
        net.RunFor(Settle);

        Assert.Single(net.CommandsOf<Command.PrepareMedia>(Bob));
        Assert.Equal(CallEndReason.Busy, Assert.Single(net.EventsOf<DeskEvent.Ended>(Carol)).Reason);
        Assert.Contains(new Command.StopMedia(second), net.Commands[Carol]);
    }

    [Fact]
    public void Hanging_up_an_established_call_stops_media_withdraws_the_route_and_writes_no_tombstone()
    {
        var net = Established(out var id);
        net.RunFor(TimeSpan.FromSeconds(10));
        var done = net.Do(Alice, (desk, now) => desk.HangUp(now, null));
        Assert.True(done.IsDone);
        net.RunFor(Settle);

        foreach (var (side, peer) in new[] { (Alice, Bob), (Bob, Alice) })
        {
            var tail = net.Commands[side].Where(command => command is Command.StopMedia or Command.RouteMedia).TakeLast(2);
            Assert.Equal([new Command.StopMedia(id), new Command.RouteMedia(net.Hash(peer), null)], tail);
            Assert.Null(net.Desks[side].MediaRouteOf(net.Hash(peer)));
            Assert.Empty(net.Desks[side].FlowingCalls);
            // Established a round trip or so after the answer, which came a second before the ten seconds here.
            Assert.InRange(Assert.Single(net.EventsOf<DeskEvent.Ended>(side)).Duration!.Value, TimeSpan.FromSeconds(10.8), TimeSpan.FromSeconds(11));
        }

        Assert.Equal(CallEndReason.HungUpLocal, Assert.Single(net.EventsOf<DeskEvent.Ended>(Alice)).Reason);
        Assert.Empty(net.CommandsOf<Command.EndInCallList>(Alice));
        // The callee ended its call-list entry as answered, and nothing since.
        Assert.Equal(new Command.EndInCallList(id, CallEntryKind.Answered), Assert.Single(net.CommandsOf<Command.EndInCallList>(Bob)));
    }

    [Fact]
    public void A_callee_that_rejects_writes_a_rejected_tombstone_and_the_caller_none()
    {
        var net = new DeskNetwork();
        var id = net.Call(Alice, Bob);
        net.RunFor(Settle);
        net.Do(Bob, (desk, now) => desk.Reject(now, null));
        net.RunFor(Settle);

        Assert.Equal(new Command.EndInCallList(id, CallEntryKind.Rejected), Assert.Single(net.CommandsOf<Command.EndInCallList>(Bob)));
        Assert.Empty(net.CommandsOf<Command.EndInCallList>(Alice));
        Assert.Equal(CallEndReason.Rejected, Assert.Single(net.EventsOf<DeskEvent.Ended>(Alice)).Reason);
        Assert.Null(Assert.Single(net.EventsOf<DeskEvent.Ended>(Alice)).Duration);
    }

    [Fact]
    public void A_caller_that_gives_up_before_the_answer_and_a_call_nobody_answers_write_hung_up_tombstones()
    {
        var net = new DeskNetwork(3);
        var givenUp = net.Call(Alice, Bob);
        net.RunFor(Settle);
        net.Do(Alice, (desk, now) => desk.HangUp(now, null));
        var unanswered = net.Call(Carol, Bob);
        net.RunFor(CallOptions.Default.RingingTimeout + TimeSpan.FromSeconds(5));

        Assert.Equal(new Command.EndInCallList(givenUp, CallEntryKind.HungUp), Assert.Single(net.CommandsOf<Command.EndInCallList>(Alice)));
        Assert.Contains(new Command.EndInCallList(unanswered, CallEntryKind.HungUp), net.Commands[Carol]);
        Assert.Equal(CallEndReason.TimeoutRinging, net.EventsOf<DeskEvent.Ended>(Carol).Single().Reason);
    }

    [Fact]
    public void Commands_name_a_call_by_any_prefix_of_its_id_in_either_case_and_say_why_they_cannot()
    {
        var net = new DeskNetwork(3);
        Assert.Equal("no call to hangup", net.Do(Alice, (desk, now) => desk.HangUp(now, null)).Refusal);
        Assert.Equal("no ringing call to answer matches 'ab'", net.Do(Alice, (desk, now) => desk.Answer(now, "ab")).Refusal);

        var toBob = net.Call(Alice, Bob);
        var toCarol = net.Call(Alice, Carol);
        Assert.Equal("2 calls match: give the call id (see 'calls')", net.Do(Alice, (desk, now) => desk.HangUp(now, null)).Refusal);
        // A caller has no ringing call of its own to answer.
        Assert.Equal("no ringing call to answer", net.Do(Alice, (desk, now) => desk.Answer(now, null)).Refusal);

        var prefix = " " + UniquePrefix(toCarol, toBob).ToUpperInvariant() + " ";
        var done = net.Do(Alice, (desk, now) => desk.HangUp(now, prefix));
        Assert.Equal(toCarol, done.CallId);
        Assert.Equal(toBob, Assert.Single(net.Desks[Alice].LiveCalls).CallId);
    }

    [Fact]
    public void Calling_yourself_or_a_key_that_is_no_key_is_refused()
    {
        var net = new DeskNetwork();
        Assert.Equal("you cannot call yourself", net.Do(Alice, (desk, now) => desk.Place(now, net.Keys[Alice])).Refusal);
        Assert.False(net.Do(Alice, (desk, now) => desk.Place(now, new byte[5])).IsDone);
        Assert.Empty(net.Commands[Alice]);
    }

    [Fact]
    public void An_unattended_callee_answers_at_once_and_its_media_flows()
    {
        var net = new DeskNetwork(options: new CallDeskOptions { AutoAnswer = true });
        var id = net.Call(Alice, Bob);
        net.RunFor(Settle);

        Assert.All(new[] { Alice, Bob }, side => Assert.Equal(id, Assert.Single(net.EventsOf<DeskEvent.Established>(side)).CallId));
        Assert.True(net.Desks[Bob].IsFlowing(id));
        Assert.Equal(CallRole.Callee, Assert.Single(net.EventsOf<DeskEvent.Established>(Bob)).Role);
    }

    [Fact]
    public void Placing_a_call_to_a_peer_that_rings_us_answers_it_and_receives_from_then_on()
    {
        var net = new DeskNetwork();
        var id = net.Call(Alice, Bob);
        net.RunFor(Settle);

        Assert.Equal(id, net.Call(Bob, Alice));
        Assert.True(net.Desks[Bob].IsFlowing(id));
        net.RunFor(Settle);
        Assert.Single(net.EventsOf<DeskEvent.Established>(Alice));
    }

    [Fact]
    public void A_call_list_invite_rings_with_the_callers_key_and_an_unreadable_one_is_counted()
    {
        var net = new DeskNetwork();
        var offer = MediaOffer.Create(7, 8);
        Assert.False(net.Do(Bob, (desk, now) => desk.HandleInviteFound(now, 42, net.Keys[Alice], [1, 2, 3])));
        Assert.False(net.Do(Bob, (desk, now) => desk.HandleInviteFound(now, 43, [1, 2], offer.Encode())));
        Assert.Equal(2, net.Desks[Bob].Drops[CallDeskDropReason.UnreadableOffer]);

        Assert.True(net.Do(Bob, (desk, now) => desk.HandleInviteFound(now, 44, net.Keys[Alice], offer.Encode())));
        var incoming = Assert.Single(net.EventsOf<DeskEvent.Incoming>(Bob));
        Assert.Equal(((UInt128)44, IncomingCallSource.CallList), (incoming.CallId, incoming.Source));
        Assert.Equal(net.Keys[Alice], incoming.CallerPublicKey);
        Assert.Equal(net.Keys[Alice], Assert.Single(net.Desks[Bob].LiveCalls).PeerPublicKey);
    }

    [Fact]
    public void A_peers_tombstone_ends_a_ringing_call_without_a_word_back()
    {
        var net = new DeskNetwork();
        var id = net.Call(Alice, Bob);
        net.RunFor(Settle);
        var sentBefore = net.CommandsOf<Command.SendSignal>(Bob).Count();
        net.Do(Bob, (desk, now) => desk.HandleTombstone(now, id, net.Hash(Alice), CallEntryKind.HungUp));

        Assert.Equal(CallEndReason.HungUpRemote, Assert.Single(net.EventsOf<DeskEvent.Ended>(Bob)).Reason);
        Assert.Equal(sentBefore, net.CommandsOf<Command.SendSignal>(Bob).Count());
        Assert.Contains(new Command.StopMedia(id), net.Commands[Bob]);
    }

    [Fact]
    public void A_lost_link_ends_the_established_call_and_its_media()
    {
        var net = Established(out var id);
        net.Do(Alice, (desk, now) => desk.HandleLinkLost(now, net.Hash(Bob)));

        Assert.Equal(CallEndReason.ConnectionLost, Assert.Single(net.EventsOf<DeskEvent.Ended>(Alice)).Reason);
        Assert.Equal(new Command.RouteMedia(net.Hash(Bob), null), net.Commands[Alice].Last());
        Assert.False(net.Desks[Alice].IsFlowing(id));
    }

    [Fact]
    public void A_media_session_that_failed_withdraws_its_route_but_the_call_goes_on()
    {
        var net = Established(out var id);
        net.Do(Alice, (desk, now) => desk.HandleMediaGone(now, id));

        Assert.Equal(new Command.RouteMedia(net.Hash(Bob), null), net.Commands[Alice].Last());
        Assert.DoesNotContain(new Command.StopMedia(id), net.Commands[Alice]);
        Assert.Empty(net.Desks[Alice].FlowingCalls);
        Assert.Equal(LiveCallPhase.Established, Assert.Single(net.Desks[Alice].LiveCalls).Phase);
    }

    [Fact]
    public void The_live_calls_view_follows_each_side_from_calling_to_established()
    {
        var net = new DeskNetwork();
        net.Cut(Bob, Alice);
        var id = net.Call(Alice, Bob);
        Assert.Equal(LiveCallPhase.Calling, Assert.Single(net.Desks[Alice].LiveCalls).Phase);
        net.RunFor(Settle);
        Assert.Equal(LiveCallPhase.Ringing, Assert.Single(net.Desks[Bob].LiveCalls).Phase);

        net.Do(Bob, (desk, now) => desk.Answer(now, null));
        Assert.Equal((id, LiveCallPhase.Answering, CallRole.Callee), Summary(Assert.Single(net.Desks[Bob].LiveCalls)));
        Assert.Null(Assert.Single(net.Desks[Bob].FlowingCalls).EstablishedAt);
    }

    [Fact]
    public void Keys_of_peers_without_a_call_are_not_kept()
    {
        var net = new DeskNetwork(3);
        net.Do(Bob, (desk, now) => desk.HandleSignal(now, net.Hash(Carol), net.Keys[Carol], [0x31, 1, 2]));
        Assert.Null(net.Desks[Bob].PublicKeyOf(net.Hash(Carol)));

        net.Call(Alice, Bob);
        net.RunFor(Settle);
        Assert.Equal(net.Keys[Alice], net.Desks[Bob].PublicKeyOf(net.Hash(Alice)));
    }

    private static DeskNetwork Established(out UInt128 id)
    {
        var net = new DeskNetwork();
        id = net.Call(Alice, Bob);
        net.RunFor(Settle);
        net.Do(Bob, (desk, now) => desk.Answer(now, null));
        net.RunFor(Settle);
        Assert.Single(net.EventsOf<DeskEvent.Established>(Alice));
        return net;
    }

    private static (UInt128, Pype.Core.Identity.HashAddress, MediaOffer?, CallRole) Fields(Command.PrepareMedia prepare) => (prepare.CallId, prepare.Peer, prepare.Remote, prepare.Role);

    private static (UInt128, LiveCallPhase, CallRole) Summary(LiveCall call) => (call.CallId, call.Phase, call.Role);

    private static string UniquePrefix(UInt128 id, UInt128 other)
    {
        var (mine, theirs) = (id.ToString("x32"), other.ToString("x32"));
        var length = 1;
        while (theirs.StartsWith(mine[..length], StringComparison.Ordinal))
        {
            length++;
        }

        return mine[..length];
    }
}
