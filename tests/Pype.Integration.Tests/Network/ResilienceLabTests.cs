using System.Text.Json;
using Pype.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Integration.Tests.Network;

/// <summary>
/// Calls through the user-space link emulator between two real NATs: random loss, heavy loss and
/// a bandwidth cap. The callee decodes into a y4m "file" that is /dev/null, so every picture goes
/// the whole way without filling the disk.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class ResilienceLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Setup = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private sealed record Call(LabNetwork Network, LabNode Caller, LabNode Callee, LinkEmulator Link, TempDirectory Files) : IDisposable
    {
        public void Dispose()
        {
            Network.Dispose();
            Files.Dispose();
        }
    }

    private static Call StartCall(LinkProfile profile)
    {
        var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var files = new TempDirectory();
        try
        {
            var discard = Path.Combine(files.Path, "discard.y4m");
            File.CreateSymbolicLink(discard, "/dev/null");
            // 320x240: what is tested is the network's effect, not how much video two nodes can
            // encode and decode on a loaded two-core machine.
            string[] small = ["--set", "pype.media.video.width=320", "--set", "pype.media.video.height=240", "--set", "pype.media.video.bitrate-kbps=800"];
            var caller = network.StartNode(network.Lab.HostA, 0, small);
            var callee = network.StartNode(network.Lab.HostB, 0, [.. small, "--set", "pype.node.auto-answer=on", "--set", $"pype.media.video.out=file:{discard}"]);
            var link = network.EmulateLink(profile);
            caller.Send($"call {callee.Address}");
            caller.WaitFor("call-established", Setup);
            callee.WaitFor("call-established", Setup);
            return new Call(network, caller, callee, link, files);
        }
        catch
        {
            network.Dispose();
            files.Dispose();
            throw;
        }
    }

    private static JsonElement Stats(LabNode node)
    {
        node.Process.DiscardPending();
        node.Send("stats");
        return node.WaitFor("stats", Setup).GetProperty("calls")[0];
    }

    private static long Long(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    [Fact]
    public void With_5_percent_loss_a_30_second_call_keeps_its_frames_and_hardly_freezes()
    {
        using var call = StartCall(new LinkProfile { Delay = 20 * Ms, Jitter = 5 * Ms, LossPercent = 5 });
        Thread.Sleep(TimeSpan.FromSeconds(30));
        var sent = Stats(call.Caller);
        var shown = Stats(call.Callee);

        var ratio = (double)Long(shown, "video_frames_rendered") / Long(sent, "video_frames_sent");
        var freeze = TimeSpan.FromMilliseconds(shown.GetProperty("freeze_ms").GetDouble());
        output.WriteLine($"{Long(shown, "video_frames_rendered")} of {Long(sent, "video_frames_sent")} frames shown ({ratio:P1}), freeze {freeze.TotalMilliseconds:0} ms, "
            + $"{Long(sent, "video_packets_retransmitted")} packets resent, {Long(shown, "plis_sent")} PLIs, emulator dropped {call.Link.Counters.Lost}");
        Assert.True(call.Link.Counters.Lost > 100, "the emulator dropped almost nothing: the test would prove nothing");
        Assert.True(ratio >= 0.85, $"only {ratio:P1} of the frames were shown");
        Assert.True(freeze <= TimeSpan.FromSeconds(1), $"the picture froze for {freeze.TotalMilliseconds:0} ms");
        Assert.True(Long(sent, "video_packets_retransmitted") > 0, "nothing was repaired by retransmission");
    }

    [Fact]
    public void With_20_percent_loss_the_call_stays_up_and_audio_keeps_flowing()
    {
        using var call = StartCall(new LinkProfile { Delay = 20 * Ms, LossPercent = 20 });
        Thread.Sleep(TimeSpan.FromSeconds(5));
        var before = Stats(call.Callee);
        Thread.Sleep(TimeSpan.FromSeconds(10));
        var after = Stats(call.Callee);

        var audio = Long(after, "audio_packets_received") - Long(before, "audio_packets_received");
        output.WriteLine($"audio packets in 10 s: {audio}, concealed {Long(after, "audio_frames_concealed")}, recovered {Long(after, "audio_frames_recovered")}, frames shown {Long(after, "video_frames_rendered")}");
        Assert.True(audio >= 300, $"only {audio} audio packets arrived in 10 s (500 sent, 20 % lost)");
        Assert.True(Long(after, "audio_frames_concealed") + Long(after, "audio_frames_recovered") > 0, "no lost audio frame was concealed or recovered");
        Assert.True(Long(after, "video_frames_rendered") > Long(before, "video_frames_rendered"), "video stopped");
        call.Caller.Send("calls");
        Assert.Contains(call.Caller.WaitFor("calls").GetProperty("calls").EnumerateArray(), c => c.GetProperty("state").GetString() == "established");
    }

    [Fact]
    public void Jitter_on_the_path_raises_the_video_playout_delay_which_a_clean_path_does_not_need()
    {
        using var call = StartCall(LinkProfile.Clean with { Delay = 20 * Ms });
        // Long enough for a target raised by the start-up burst (both nodes start their ffmpegs) to decay.
        Thread.Sleep(TimeSpan.FromSeconds(8));
        var clean = Stats(call.Callee);
        // 50 ± 40 ms: the emulator never sends a packet before it arrived, so the delay must exceed the jitter.
        call.Link.SetProfile(new LinkProfile { Delay = 50 * Ms, Jitter = 40 * Ms });
        Thread.Sleep(TimeSpan.FromSeconds(8));
        var jittery = Stats(call.Callee);

        static double Millis(JsonElement e, string name) => e.GetProperty(name).GetDouble();
        output.WriteLine($"clean: video playout {Millis(clean, "video_playout_delay_ms")} ms, frame jitter {Millis(clean, "video_frame_jitter_ms")} ms, packet jitter {Millis(clean, "video_jitter_ms")} ms; "
            + $"±40 ms: playout {Millis(jittery, "video_playout_delay_ms")} ms, frame jitter {Millis(jittery, "video_frame_jitter_ms")} ms; frames shown {Long(clean, "video_frames_rendered")} → {Long(jittery, "video_frames_rendered")}");
        Assert.True(Millis(clean, "video_playout_delay_ms") < 20, "a clean path held frames for nothing");
        Assert.True(Millis(jittery, "video_frame_jitter_ms") > Millis(clean, "video_frame_jitter_ms"), "the emulator's jitter was not measured");
        Assert.InRange(Millis(jittery, "video_playout_delay_ms"), 20, 150);
        Assert.True(Long(jittery, "video_frames_rendered") - Long(clean, "video_frames_rendered") > 150, "video stopped under jitter");
    }

    [Fact]
    public void Under_a_bandwidth_cap_the_sender_settles_below_it_within_5_seconds()
    {
        using var call = StartCall(LinkProfile.Clean with { Delay = 20 * Ms });
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var before = Stats(call.Caller).GetProperty("target_bitrate_kbps").GetInt32();
        call.Link.SetProfile(new LinkProfile { Delay = 20 * Ms, RateKbps = 500, QueueLimit = 150 * Ms });
        Thread.Sleep(TimeSpan.FromSeconds(5));
        var settled = Stats(call.Caller).GetProperty("target_bitrate_kbps").GetInt32();
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var later = Stats(call.Caller).GetProperty("target_bitrate_kbps").GetInt32();

        output.WriteLine($"target before the cap {before} kbit/s, 5 s after a 500 kbit/s cap {settled}, 8 s after {later}; emulator queue drops {call.Link.Counters.QueueDrops}");
        Assert.True(before > 500, $"the call started at {before} kbit/s, already under the cap");
        Assert.True(settled < 500, $"5 s after the cap the target is {settled} kbit/s");
        Assert.True(later < 500, $"8 s after the cap the target is {later} kbit/s");
    }
}
