using Akka.Actor;
using Akka.TestKit.Xunit2;
using Pype.Actors.Calls;
using Pype.Actors.Configuration;
using Pype.Actors.Node;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Core.Identity;
using Xunit;

namespace Pype.Actors.Tests.Calls;

public sealed class CallManagerActorTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly IdentityKeyPair alice = IdentityKeyPair.Generate();
    private readonly IdentityKeyPair bob = IdentityKeyPair.Generate();

    private IActorRef StartCalls(Akka.TestKit.TestProbe peers, Akka.TestKit.TestProbe gossip) =>
        ChildActorOf(CallManagerActor.Props(alice, new CallSettings(AutoAnswer: false, RingingTimeout: TimeSpan.FromSeconds(45)), MediaSettings.Default, peers.Ref, gossip.Ref));

    [Fact]
    public void A_placed_call_routes_the_peers_media_to_its_new_session_and_hanging_up_withdraws_the_route()
    {
        var peers = CreateTestProbe();
        var gossip = CreateTestProbe();
        var calls = StartCalls(peers, gossip);

        calls.Tell(new PlaceCallTo(bob.PublicKey.ToArray()));
        var placed = FishForMessage<CallPlaced>(_ => true, Patience);
        Assert.Equal(bob.Hash.ToString(), placed.Callee);
        Assert.Equal(placed.CallId, gossip.ExpectMsg<PlaceCallInList>(Patience).CallId.ToString("x32"));

        // The media session is routed before the invite goes out, so the caller hears an early answer.
        var route = peers.ExpectMsg<RouteMedia>(Patience);
        Assert.Equal(bob.Hash, route.Peer);
        var session = Assert.IsAssignableFrom<IActorRef>(route.Session);
        var watcher = CreateTestProbe();
        watcher.Watch(session);
        Assert.Equal(bob.Hash, peers.ExpectMsg<SendCallSignal>(Patience).Peer);

        calls.Tell(new ActOnCall(placed.CallId[..6], CallAction.HangUp, "hangup"));
        Assert.Equal(placed.CallId, FishForMessage<CallCommandDone>(_ => true, Patience).CallId);
        var withdrawn = peers.FishForMessage<RouteMedia>(_ => true, Patience);
        Assert.Equal((bob.Hash, null), (withdrawn.Peer, withdrawn.Session));
        watcher.ExpectTerminated(session, Patience);
        Assert.Equal("hung-up-here", FishForMessage<CallEnded>(_ => true, Patience).Reason);
    }

    [Fact]
    public void Statistics_are_answered_at_once_without_a_flowing_call_and_unknown_calls_are_refused_in_words()
    {
        var calls = StartCalls(CreateTestProbe(), CreateTestProbe());

        calls.Tell(GetCallStats.Instance);
        Assert.Empty(FishForMessage<CallStatsReply>(_ => true, Patience).Calls);

        calls.Tell(new ActOnCall("ab", CallAction.Answer, "answer"));
        Assert.Equal("no ringing call to answer matches 'ab'", FishForMessage<CommandFailed>(_ => true, Patience).Message);

        calls.Tell(new PlaceCallTo(alice.PublicKey.ToArray()));
        Assert.Equal("you cannot call yourself", FishForMessage<CommandFailed>(_ => true, Patience).Message);
    }
}
