using System.Diagnostics;
using System.Text.Json;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Network;

/// <summary>Calls between real node processes behind real Linux NATs.</summary>
[Collection(NetworkLabCollection.Name)]
public sealed class CallLabTests
{
    private static readonly TimeSpan Setup = TimeSpan.FromSeconds(20);

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public void A_call_to_a_node_without_a_session_rings_is_answered_and_hangs_up_on_both_sides()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var caller = network.StartNode(network.Lab.HostA);
        var callee = network.StartNode(network.Lab.HostB);

        caller.Send($"call {callee.Address}");
        var callId = Str(caller.WaitFor("call-placed"), "call_id");
        var incoming = callee.WaitFor("incoming-call", Setup);
        Assert.Equal((callId, caller.Hash, caller.Address), (Str(incoming, "call_id"), Str(incoming, "caller"), Str(incoming, "caller_address")));
        Assert.Equal(callId, Str(caller.WaitFor("ringing", Setup), "call_id"));

        callee.Send($"answer {callId[..8]}");
        var atCaller = caller.WaitFor("call-established", Setup);
        var atCallee = callee.WaitFor("call-established", Setup);
        Assert.Equal(("caller", "callee"), (Str(atCaller, "role"), Str(atCallee, "role")));
        Assert.True(atCaller.GetProperty("setup_ms").GetDouble() > 0);

        var hungUpAt = Stopwatch.StartNew();
        caller.Send("hangup");
        Assert.Equal("hung-up-here", Str(caller.WaitFor("call-ended", TimeSpan.FromSeconds(1)), "reason"));
        Assert.Equal("hung-up-by-peer", Str(callee.WaitFor("call-ended", TimeSpan.FromSeconds(1)), "reason"));
        Assert.True(hungUpAt.Elapsed < TimeSpan.FromSeconds(2), $"hang-up took {hungUpAt.Elapsed.TotalMilliseconds:0} ms to reach both sides");

        callee.Send("calls");
        Assert.Empty(callee.WaitFor("calls").GetProperty("calls").EnumerateArray());
    }

    [Fact]
    public void Busy_and_unattended_nodes_answer_for_themselves()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.FullCone);
        var callee = network.StartNode(network.Lab.HostB, 0, "--set", "pype.node.auto-answer=on");
        var first = network.StartNode(network.Lab.HostA);
        var second = network.StartNode(network.Lab.HostA2);

        first.Send($"call {callee.Address}");
        first.WaitFor("call-established", Setup);
        callee.WaitFor("call-established", Setup);

        second.Send($"call {callee.Address}");
        Assert.Equal("busy", Str(second.WaitFor("call-ended", Setup), "reason"));

        callee.Send("hangup");
        Assert.Equal("hung-up-by-peer", Str(first.WaitFor("call-ended", TimeSpan.FromSeconds(2)), "reason"));
    }
}
