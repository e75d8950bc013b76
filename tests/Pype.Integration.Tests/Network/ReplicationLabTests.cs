using System.Text.Json;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Network;

/// <summary>The replicated address book across real node processes behind real NATs.</summary>
[Collection(NetworkLabCollection.Name)]
public sealed class ReplicationLabTests
{
    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static int BookSize(LabNode node)
    {
        node.Send("book");
        return node.WaitFor("book").GetProperty("records").GetInt32();
    }

    private static void AwaitBookSize(LabNode node, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var size = 0;
        while (DateTime.UtcNow < deadline)
        {
            size = BookSize(node);
            if (size >= expected) return;
            Thread.Sleep(500);
        }
        Assert.Fail($"{node.Hash[..8]} holds {size} records, expected {expected}");
    }

    private static void AwaitCallListKind(LabNode node, string callId, string kind, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            node.Send("calls");
            if (node.WaitFor("calls").GetProperty("call_list").EnumerateArray().Any(e => Str(e, "call_id") == callId && Str(e, "kind") == kind)) return;
            Thread.Sleep(300);
        }
        Assert.Fail($"call {callId[..8]} never became '{kind}' in {node.Hash[..8]}'s call list");
    }

    private static void AwaitJournalled(LabNode node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            node.Send("status");
            var waiting = node.WaitFor("status").GetProperty("replicas_unjournalled").GetInt32();
            if (waiting == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{waiting} replicated items still not journalled after {timeout.TotalSeconds:0} s");
            Thread.Sleep(100);
        }
    }

    [Fact]
    public void Five_nodes_converge_on_one_address_book_that_survives_kill_9()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.FullCone);
        var lab = network.Lab;
        var nodes = new[]
        {
            network.StartNode(lab.HostA, overlayDegree: 2),
            network.StartNode(lab.HostA2, overlayDegree: 2),
            network.StartNode(lab.HostB, overlayDegree: 2),
            network.StartNode(lab.Public, overlayDegree: 2),
            network.StartNode(lab.HostB, overlayDegree: 2),
        };
        foreach (var node in nodes) AwaitBookSize(node, nodes.Length, TimeSpan.FromSeconds(45));

        // Every node holds every other node's signed record, with its public candidates.
        var last = nodes[^1];
        foreach (var other in nodes[..^1])
        {
            last.Send($"book {other.Address}");
            var record = last.WaitFor("record").GetProperty("record");
            Assert.Equal(other.Hash, Str(record, "hash"));
            Assert.NotEmpty(record.GetProperty("candidates").EnumerateArray());
        }

        // A call reaches its callee (directly or through the call list, whichever is first);
        // the callee's rejection reaches the caller, and the call-list entry becomes a tombstone.
        var (caller, callee) = (nodes[0], nodes[3]);
        caller.Send($"call {callee.Address}");
        var callId = Str(caller.WaitFor("call-placed"), "call_id");
        var incoming = callee.WaitFor("incoming-call", TimeSpan.FromSeconds(20));
        Assert.Equal(callId, Str(incoming, "call_id"));
        Assert.Equal(caller.Hash, Str(incoming, "caller"));
        Assert.Contains(Str(incoming, "source"), new[] { "direct", "call-list" });
        callee.Send("calls");
        Assert.Contains(callee.WaitFor("calls").GetProperty("calls").EnumerateArray(), e => Str(e, "call_id") == callId && Str(e, "state") == "ringing");
        callee.Send("reject");
        Assert.Equal("rejected", Str(callee.WaitFor("call-ended"), "reason"));
        var ended = caller.WaitFor("call-ended", TimeSpan.FromSeconds(20));
        Assert.Equal((callId, "rejected"), (Str(ended, "call_id"), Str(ended, "reason")));
        AwaitCallListKind(caller, callId, "rejected", TimeSpan.FromSeconds(20));

        // The book is journalled: a kill -9 and a restart of the same data directory keep what the
        // journal confirmed. It writes behind the replicas (the tombstone was seen in memory, then
        // lost to a kill -9 milliseconds later, in CI), so wait for it first.
        AwaitJournalled(caller, TimeSpan.FromSeconds(20));
        var restarted = network.RestartNode(nodes[0]);
        Assert.True(BookSize(restarted) >= nodes.Length);
        restarted.Send("calls");
        var recovered = restarted.WaitFor("calls").GetProperty("call_list");
        // Seen once in CI: an empty call list after the restart. Say what the node said, to find out why.
        Assert.True(recovered.EnumerateArray().Any(e => Str(e, "call_id") == callId && Str(e, "kind") == "rejected"),
            $"the restarted node's call list: {recovered}; its stderr: {restarted.Process.StandardError}");
    }
}
