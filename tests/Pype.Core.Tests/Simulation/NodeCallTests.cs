using System.Diagnostics;
using Pype.Core.Calls;
using Pype.Core.Connection;
using Pype.Core.Session;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Simulation;

/// <summary>
/// Call signalling over the overlay of <see cref="OverlayScenario"/>, with each node's real call
/// desk as CallManagerActor composes it: once the overlay has formed and gossip converged, ten
/// callers call ten auto-answering callees at the same virtual moment; each invite goes both
/// straight to the callee (the endpoint has the seed introduce the peer) and through the call
/// list; every call is established on both sides, its media flows both ways for
/// <see cref="MediaWindow"/> (each side's real media core over synthetic stages: video frames of
/// three packets at 15 fps and 20 ms audio, RTCP back, NACKed packets resent), then the callers
/// hang up and both sides end it and stop their media.
/// </summary>
public sealed class NodeCallTests(ITestOutputHelper output)
{
    /// <summary>Generous: an introduction, a punch and three signals take well under a few seconds; retransmissions (0.5 s doubling) repair losses.</summary>
    private static readonly TimeSpan EstablishLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan EndLimit = TimeSpan.FromSeconds(30);

    /// <summary>How long media flows once every call is established.</summary>
    private static readonly TimeSpan MediaWindow = TimeSpan.FromSeconds(4);

    /// <summary>What was sent this close to the end of the window may still be on its way (or waiting for a repair), so it is not counted.</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Caller → callee, ten distinct pairs of twenty distinct nodes: node i is behind NAT kind i mod 5
    /// and registered at seed i mod 2, so six pairs cross the two seeds' halves. Every pair but the
    /// last can punch; the last (port-restricted → symmetric) cannot, so its call goes over a relay.
    /// </summary>
    private static readonly (int Caller, int Callee)[] Pairs =
        [(20, 21), (22, 23), (24, 25), (26, 27), (28, 29), (30, 32), (31, 33), (34, 42), (35, 39), (36, 44)];

    private static readonly CallDeskOptions AutoAnswer = SimulatedNode.ReferenceCallSettings with { AutoAnswer = true };

    [Fact]
    public void Ten_simultaneous_calls_across_nats_and_seeds_are_established_and_hung_up()
    {
        var wall = Stopwatch.StartNew();
        var run = Call(seed: 12);
        wall.Stop();
        Report("seed 12", run);
        output.WriteLine($"one run in {wall.ElapsedMilliseconds} ms of wall time");

        Assert.True(run.Gossip.Converged, "gossip did not converge");
        Assert.True(run.Established, "not every call was established on both sides: " + string.Join(", ", run.Calls.Where(c => c.CallerUp is null || c.CalleeUp is null).Select(c => c.Name)));
        Assert.True(run.Ended, "not every call ended on both sides: " + string.Join(", ", run.Calls.Where(c => c.CallerEnd is null || c.CalleeEnd is null).Select(c => c.Name)));
        var nodes = run.Gossip.Overlay.Nodes;
        foreach (var call in run.Calls)
        {
            var (caller, callee) = (nodes[call.Caller], nodes[call.Callee]);
            // The callee heard of the call once (straight or from the call list), answered it itself, and both agree on the roles.
            Assert.Single(callee.CallEvents, e => e.Event is CallDeskEvent.Incoming { Caller: var who } && who == caller.Hash && e.Event.CallId == call.CallId);
            Assert.Equal(CallRole.Caller, Assert.Single(caller.CallEvents.Select(e => e.Event).OfType<CallDeskEvent.Established>()).Role);
            Assert.Equal(CallRole.Callee, Assert.Single(callee.CallEvents.Select(e => e.Event).OfType<CallDeskEvent.Established>()).Role);
            Assert.Equal(call.CallId, callee.CallEvents.Select(e => e.Event).OfType<CallDeskEvent.Established>().Single().CallId);
            Assert.Equal(CallEndReason.HungUpLocal, Assert.Single(caller.CallEvents.Select(e => e.Event).OfType<CallDeskEvent.Ended>()).Reason);
            Assert.Equal(CallEndReason.HungUpRemote, Assert.Single(callee.CallEvents.Select(e => e.Event).OfType<CallDeskEvent.Ended>()).Reason);
            Assert.All([caller, callee], node =>
            {
                // Media would have flowed (a prepared session let go, or a new one) and then been stopped.
                Assert.Contains(node.MediaCommands, c => c is CallDeskCommand.ReleaseMedia { CallId: var id } && id == call.CallId
                    || c is CallDeskCommand.StartMedia { CallId: var started } && started == call.CallId);
                Assert.Contains(node.MediaCommands, c => c is CallDeskCommand.StopMedia { CallId: var id } && id == call.CallId);
                Assert.Empty(node.Calls.LiveCalls);
            });
            // Media flowed both ways through the links, repaired by NACK, with reports back to each sender.
            Assert.All(new[] { call.Forward, call.Back }, flow =>
            {
                Assert.True(flow.VideoSent >= 30 && flow.AudioSent >= 100, $"{call.Name}: too little media sent: {flow}");
                Assert.True(flow.VideoArrived >= 0.9 * flow.VideoSent, $"{call.Name}: {flow.VideoArrived} of {flow.VideoSent} video frames arrived whole");
                Assert.True(flow.AudioArrived >= 0.9 * flow.AudioSent, $"{call.Name}: {flow.AudioArrived} of {flow.AudioSent} audio packets arrived");
                Assert.True(flow.ReportsAtSender > 0, $"{call.Name}: no receiver report reached the sender");
            });
            Assert.All([caller, callee], node => Assert.Contains(node.StoppedMediaSessions, m => m.CallId == call.CallId));
            // The callee's answer left a tombstone where the invite was, on every node of the overlay.
            Assert.All(nodes, n => Assert.DoesNotContain(n.Gossip.CallList.Entries, e => e.CallId == call.CallId && !e.IsTombstone));
        }
        // The pair that cannot punch talked over a relayed link; every other pair over a direct one.
        foreach (var call in run.Calls)
        {
            var relayed = !OverlayScenario.CanPunch(run.Gossip.Overlay.Kinds[call.Caller], run.Gossip.Overlay.Kinds[call.Callee]);
            Assert.Equal(relayed, call.OverRelay);
        }
        Assert.Contains(run.Calls, call => call.OverRelay);
        var flows = run.Calls.SelectMany(c => new[] { c.Forward, c.Back }).ToList();
        Assert.True(flows.Sum(f => f.NacksAtSender) > 0 && flows.Sum(f => f.Resent) > 0, "the 2 % loss was never repaired by a NACK");
        // Nodes not in a call heard of none.
        var inCalls = Pairs.SelectMany(p => new[] { p.Caller, p.Callee }).ToHashSet();
        Assert.All(nodes.Where((_, i) => !inCalls.Contains(i)), n => Assert.Empty(n.CallEvents));
    }

    [Fact]
    public void The_same_seed_gives_the_same_call_trace_and_another_seed_a_different_one()
    {
        var first = Call(seed: 12);
        var again = Call(seed: 12);
        var other = Call(seed: 13);
        Report("seed 12", first);
        Report("seed 12 again", again);
        Report("seed 13", other);

        Assert.True(first.Established && first.Ended && again.Established && again.Ended && other.Established && other.Ended);
        Assert.Equal(first.Gossip.Overlay.Network.Trace.Hash, again.Gossip.Overlay.Network.Trace.Hash);
        Assert.Equal(first.Calls, again.Calls);
        Assert.NotEqual(first.Gossip.Overlay.Network.Trace.Hash, other.Gossip.Overlay.Network.Trace.Hash);
    }

    private sealed record PlacedCall(string Name, int Caller, int Callee, UInt128 CallId, DateTimeOffset PlacedAt,
        DateTimeOffset? CallerUp, DateTimeOffset? CalleeUp, DateTimeOffset? CallerEnd, DateTimeOffset? CalleeEnd, bool OverRelay, MediaFlow Forward, MediaFlow Back);

    /// <summary>
    /// One direction of a call's media: frames and packets sent while the call was established on
    /// both sides, up to <see cref="InFlight"/> before the end, and how many of them arrived;
    /// feedback at the sender. (A callee answers, and sends, before a relayed path is up: what the
    /// endpoint dropped for want of a link is not the media path's loss.)
    /// </summary>
    private readonly record struct MediaFlow(int VideoSent, int VideoArrived, int AudioSent, int AudioArrived, long ReportsAtSender, long NacksAtSender, long Resent)
    {
        public static MediaFlow Between(SimulatedMediaSession? sender, SimulatedMediaSession? receiver, DateTimeOffset? from, DateTimeOffset until)
        {
            if (sender is null || receiver is null || from is not { } since)
                return default;
            var video = sender.VideoFramesSent.Where(f => f.At >= since && f.At <= until).Select(f => f.Timestamp).ToList();
            var audio = sender.AudioPacketsSent.Where(p => p.At >= since && p.At <= until).Select(p => p.Sequence).ToList();
            var feedback = sender.Core.Feedback;
            return new MediaFlow(video.Count, video.Count(receiver.VideoFramesReceived.Contains), audio.Count, audio.Count(receiver.AudioPacketsReceived.Contains),
                feedback.ReportsReceived, feedback.NacksReceived, sender.VideoPacketsResent);
        }
    }

    private sealed record CallRun(NodeGossipTests.GossipRun Gossip, IReadOnlyList<PlacedCall> Calls, bool Established, bool Ended);

    private static CallRun Call(int seed)
    {
        var gossip = NodeGossipTests.Converge(seed, AutoAnswer);
        var overlay = gossip.Overlay;
        var (network, nodes, kinds) = (overlay.Network, overlay.Nodes, overlay.Kinds);
        if (!gossip.Converged)
            return new CallRun(gossip, [], false, false);

        // The same virtual moment: every call is placed before the network runs again.
        var placedAt = network.Now;
        var ids = Pairs.Select(p =>
        {
            var outcome = nodes[p.Caller].PlaceCallTo(nodes[p.Callee].Identity.PublicKey.ToArray());
            Assert.True(outcome.IsDone, outcome.Refusal);
            return outcome.CallId;
        }).ToList();

        bool Both<T>(int i) where T : CallDeskEvent => At<T>(nodes[Pairs[i].Caller], ids[i]) is not null && At<T>(nodes[Pairs[i].Callee], ids[i]) is not null;
        var established = network.RunUntil(() => Pairs.Select((_, i) => i).All(Both<CallDeskEvent.Established>), EstablishLimit);
        // Whether the caller's link to the callee was relayed while the call was up, on both sides.
        var overRelay = Pairs.Select(p => Relayed(nodes[p.Caller], nodes[p.Callee]) && Relayed(nodes[p.Callee], nodes[p.Caller])).ToList();
        var ended = false;
        var flows = Pairs.Select(_ => (Forward: default(MediaFlow), Back: default(MediaFlow))).ToList();
        if (established)
        {
            network.RunFor(MediaWindow);
            var until = network.Now - InFlight;
            flows = Pairs.Select((p, i) =>
            {
                var (caller, callee) = (Media(nodes[p.Caller], ids[i]), Media(nodes[p.Callee], ids[i]));
                var up = Later(At<CallDeskEvent.Established>(nodes[p.Caller], ids[i]), At<CallDeskEvent.Established>(nodes[p.Callee], ids[i]));
                return (MediaFlow.Between(caller, callee, up, until), MediaFlow.Between(callee, caller, up, until));
            }).ToList();
            for (var i = 0; i < Pairs.Length; i++)
                Assert.True(nodes[Pairs[i].Caller].HangUp(ids[i].ToString("x32")).IsDone);
            ended = network.RunUntil(() => Pairs.Select((_, i) => i).All(Both<CallDeskEvent.Ended>), EndLimit);
            // Long enough for the tombstones to reach every call list.
            network.RunFor(TimeSpan.FromSeconds(10));
        }
        var calls = Pairs.Select((p, i) => new PlacedCall(
            $"node{p.Caller} ({kinds[p.Caller]}, seed {p.Caller % 2 + 1}) → node{p.Callee} ({kinds[p.Callee]}, seed {p.Callee % 2 + 1})",
            p.Caller, p.Callee, ids[i], placedAt,
            At<CallDeskEvent.Established>(nodes[p.Caller], ids[i]), At<CallDeskEvent.Established>(nodes[p.Callee], ids[i]),
            At<CallDeskEvent.Ended>(nodes[p.Caller], ids[i]), At<CallDeskEvent.Ended>(nodes[p.Callee], ids[i]), overRelay[i], flows[i].Forward, flows[i].Back)).ToList();
        return new CallRun(gossip, calls, established, ended);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? (x > y ? x : y) : null;

    private static SimulatedMediaSession? Media(SimulatedNode node, UInt128 callId) => node.MediaSessions.FirstOrDefault(m => m.CallId == callId);

    private static bool Relayed(SimulatedNode node, SimulatedNode peer) =>
        node.Endpoint.Peers().Any(p => p.Peer.Equals(peer.Hash) && p.State == PeerLinkState.Connected && p.PathKind == CandidateKind.Relayed);

    private static DateTimeOffset? At<T>(SimulatedNode node, UInt128 callId) where T : CallDeskEvent =>
        node.CallEvents.Where(e => e.Event is T && e.Event.CallId == callId).Select(e => (DateTimeOffset?)e.At).FirstOrDefault();

    private void Report(string name, CallRun run)
    {
        NodeGossipTests.Report(output, name, run.Gossip);
        static string Ms(DateTimeOffset? at, DateTimeOffset from) => at is { } t ? $"{(t - from).TotalMilliseconds:F0} ms" : "never";
        foreach (var call in run.Calls)
        {
            var source = run.Gossip.Overlay.Nodes[call.Callee].CallEvents.Select(e => e.Event).OfType<CallDeskEvent.Incoming>().FirstOrDefault(e => e.CallId == call.CallId)?.Source;
            output.WriteLine($"  {call.Name}{(call.OverRelay ? " (relayed)" : "")}: invite arrived {(source is { } s ? s.ToString() : "never")}; established at the caller {Ms(call.CallerUp, call.PlacedAt)}, at the callee {Ms(call.CalleeUp, call.PlacedAt)} after placing; " +
                $"ended at the caller {Ms(call.CallerEnd, call.PlacedAt)}, at the callee {Ms(call.CalleeEnd, call.PlacedAt)}; media → {call.Forward}, ← {call.Back}");
        }
        var nodes = run.Gossip.Overlay.Nodes;
        output.WriteLine($"{name}: calls placed at +{(run.Calls.FirstOrDefault()?.PlacedAt - VirtualNetwork.Epoch)?.TotalSeconds:F3} s virtual, " +
            $"all established: {run.Established}, all ended: {run.Ended}; {nodes.Sum(n => n.Calls.Book.Retransmissions)} signal retransmissions, " +
            $"{nodes.Sum(n => n.CallListRefusals.Count)} call-list refusals; trace {run.Gossip.Overlay.Network.Trace.Hash}");
    }
}
