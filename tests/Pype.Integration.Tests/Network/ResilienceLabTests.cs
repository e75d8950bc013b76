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

    // 320x240: what is tested is the network's effect, not how much video two nodes can
    // encode and decode on a loaded two-core machine.
    private static readonly string[] Small = ["--set", "pype.media.video.width=320", "--set", "pype.media.video.height=240", "--set", "pype.media.video.bitrate-kbps=800"];

    private static Call StartCall(LinkProfile profile) => StartCall(profile, Small, Small);

    private static Call StartCall(LinkProfile profile, string[] callerSettings, string[] calleeSettings)
    {
        var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var files = new TempDirectory();
        try
        {
            var discard = Path.Combine(files.Path, "discard.y4m");
            File.CreateSymbolicLink(discard, "/dev/null");
            var caller = network.StartNode(network.Lab.HostA, 0, callerSettings);
            var callee = network.StartNode(network.Lab.HostB, 0, [.. calleeSettings, "--set", "pype.node.auto-answer=on", "--set", $"pype.media.video.out=file:{discard}"]);
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

    private static JsonElement SleepThenStats(LabNode node)
    {
        Thread.Sleep(TimeSpan.FromSeconds(1));
        return Stats(node);
    }

    private static long Long(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    [Fact]
    public void With_5_percent_loss_a_30_second_call_keeps_its_frames_and_hardly_freezes()
    {
        // Video one way only: what is measured is how loss is repaired, and a busy two-core machine
        // running four ffmpegs (both sides encoding and decoding) stalls frames for reasons of its own.
        using var call = StartCall(new LinkProfile { Delay = 20 * Ms, Jitter = 5 * Ms, LossPercent = 5 }, Small, [.. Small, "--set", "pype.media.video.source=none"]);
        Thread.Sleep(TimeSpan.FromSeconds(30));
        var sent = Stats(call.Caller);
        var shown = Stats(call.Callee);

        var ratio = (double)Long(shown, "video_frames_rendered") / Long(sent, "video_frames_sent");
        var freeze = TimeSpan.FromMilliseconds(shown.GetProperty("freeze_ms").GetDouble());
        output.WriteLine($"{Long(shown, "video_frames_rendered")} of {Long(sent, "video_frames_sent")} frames shown ({ratio:P1}), freeze {freeze.TotalMilliseconds:0} ms in {Long(shown, "freezes")} stalls, "
            + $"{Long(sent, "video_packets_retransmitted")} packets resent, {Long(shown, "plis_sent")} PLIs, emulator dropped {call.Link.Counters.Lost}; "
            + $"sender target {sent.GetProperty("target_bitrate_kbps")} kbit/s at {sent.GetProperty("rung")}, {Long(sent, "encoder_reconfigurations")} encoder switches, "
            + $"keyframes {Long(sent, "video_keyframes_encoded")}, drops at the callee {shown.GetProperty("drops")}");
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
        // 100 ± 90 ms: the emulator never sends a packet before it arrived, so the delay must exceed
        // the jitter. It keeps packets in order, so a packet drawn early waits behind the one before:
        // with about a hundred packets a second (video and audio) the jitter frames actually see is
        // a fraction of what is drawn (about 11 ms measured at ± 40 ms, a target of 17 ms).
        call.Link.SetProfile(new LinkProfile { Delay = 100 * Ms, Jitter = 90 * Ms });
        Thread.Sleep(TimeSpan.FromSeconds(6));
        // The estimate moves with every frame (RFC 3550's 1/16 gain): the middle of three samples a second apart.
        var jittery = new[] { Stats(call.Callee), SleepThenStats(call.Callee), SleepThenStats(call.Callee) }
            .OrderBy(s => s.GetProperty("video_playout_delay_ms").GetDouble()).ElementAt(1);

        static double Millis(JsonElement e, string name) => e.GetProperty(name).GetDouble();
        output.WriteLine($"clean: video playout {Millis(clean, "video_playout_delay_ms")} ms, frame jitter {Millis(clean, "video_frame_jitter_ms")} ms, packet jitter {Millis(clean, "video_jitter_ms")} ms; "
            + $"±90 ms: playout {Millis(jittery, "video_playout_delay_ms")} ms, frame jitter {Millis(jittery, "video_frame_jitter_ms")} ms; frames shown {Long(clean, "video_frames_rendered")} → {Long(jittery, "video_frames_rendered")}");
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

    [Fact]
    public void Behind_a_rate_cap_with_a_deep_queue_the_sender_backs_off_on_rising_delay_and_the_queue_stays_short()
    {
        using var call = StartCall(LinkProfile.Clean with { Delay = 20 * Ms });
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var before = Stats(call.Caller).GetProperty("target_bitrate_kbps").GetInt32();
        // 1 s of buffer: a sender above the cap fills it for a long while before anything is
        // dropped, so loss says nothing; only the rising delay can tell the sender.
        call.Link.SetProfile(new LinkProfile { Delay = 20 * Ms, RateKbps = 500, QueueLimit = 1000 * Ms });
        Thread.Sleep(TimeSpan.FromSeconds(5));
        var settled = Stats(call.Caller);
        var shownBefore = Long(Stats(call.Callee), "video_frames_rendered");

        // Then 10 s: the emulator's queue in each direction every 100 ms (both sides send video).
        var queues = new List<double>();
        for (var i = 0; i < 100; i++)
        {
            var (aToB, bToA) = call.Link.QueueDelays;
            queues.Add(Math.Max(aToB.TotalMilliseconds, bToA.TotalMilliseconds));
            Thread.Sleep(100);
        }
        var later = Stats(call.Caller);
        var shown = Stats(call.Callee);
        queues.Sort();
        var (median, p95) = (queues[queues.Count / 2], queues[(int)(queues.Count * 0.95)]);
        output.WriteLine($"target before the cap {before} kbit/s, 5 s after a 500 kbit/s cap with a 1 s queue {settled.GetProperty("target_bitrate_kbps")} "
            + $"(peer reports {settled.GetProperty("remote_delay_trend")}, queue {settled.GetProperty("remote_queue_delay_ms")} ms), 15 s after {later.GetProperty("target_bitrate_kbps")}; "
            + $"emulator queue over the last 10 s: median {median:0} ms, p95 {p95:0} ms, max {queues[^1]:0} ms; queue drops {call.Link.Counters.QueueDrops}; "
            + $"callee glass-to-glass p50 {shown.GetProperty("glass_to_glass_p50_ms")} / p95 {shown.GetProperty("glass_to_glass_p95_ms")} ms, "
            + $"showed {Long(shown, "video_frames_rendered") - shownBefore} frames in those 10 s");
        Assert.True(before > 500, $"the call started at {before} kbit/s, already under the cap");
        Assert.True(settled.GetProperty("target_bitrate_kbps").GetInt32() < 500, $"5 s after the cap the target is {settled.GetProperty("target_bitrate_kbps")} kbit/s");
        // Not the target 15 s on: x264 often sends less than it is asked for, so a target above the
        // cap can be harmless; what the cap must not get is a standing queue.
        // A sender deaf to delay keeps the 1 s queue filled: most samples in the hundreds of ms.
        // Bursts are not a standing queue: a keyframe drains for ~240 ms at 500 kbit/s, and on a
        // busy machine (CI with CPU hogs) the user-space emulator and the encoders are descheduled
        // now and then, which put the p95 at 170–406 ms while the median stayed at 7–13 ms.
        var shortShare = queues.Count(queue => queue <= 100) / (double)queues.Count;
        Assert.True(median <= 40, $"a queue stood: median {median:0} ms over 10 s");
        Assert.True(shortShare >= 0.75, $"the queue stayed long: under 100 ms only {shortShare:P0} of 10 s (p95 {p95:0} ms)");
        Assert.True(Long(shown, "video_frames_rendered") - shownBefore > 150, "video stalled behind the cap");
    }

    [Fact]
    public void Under_a_cap_too_low_for_the_full_picture_the_sender_steps_down_to_a_smaller_one_and_climbs_back_when_it_lifts()
    {
        // 640x480 one way only (the callee sends no video), so a step down in size has somewhere to go.
        string[] full = ["--set", "pype.media.video.width=640", "--set", "pype.media.video.height=480", "--set", "pype.media.video.bitrate-kbps=800"];
        using var call = StartCall(LinkProfile.Clean with { Delay = 20 * Ms }, full, [.. full, "--set", "pype.media.video.source=none"]);
        var start = Poll(call.Caller, Setup, s => s.GetProperty("sent_size").GetString() != "0x0");
        Assert.Equal(("640x480@30", "640x480"), (start.GetProperty("rung").GetString(), start.GetProperty("sent_size").GetString()));

        // 150 kbit/s: after audio, well under the 350 kb/s floor of 640x480@30 and the 200 kb/s of 640x480@15.
        call.Link.SetProfile(new LinkProfile { Delay = 20 * Ms, RateKbps = 150, QueueLimit = 150 * Ms });
        var stepped = Poll(call.Caller, TimeSpan.FromSeconds(20), s => s.GetProperty("sent_size").GetString() == "320x240");
        var shownBefore = Long(Stats(call.Callee), "video_frames_rendered");
        // The loss-based controller keeps probing the cap, so the picture freezes now and then (PLIs): allow a long window.
        Thread.Sleep(TimeSpan.FromSeconds(6));
        var shownAfter = Long(Stats(call.Callee), "video_frames_rendered");
        var later = Stats(call.Caller);
        output.WriteLine($"under the cap: rung {stepped.GetProperty("rung")}, sent {stepped.GetProperty("sent_size")} at {stepped.GetProperty("sent_fps")} fps, "
            + $"target {stepped.GetProperty("target_bitrate_kbps")} kbit/s; 6 s later rung {later.GetProperty("rung")} at {later.GetProperty("sent_fps")} fps; "
            + $"callee showed {shownAfter - shownBefore} frames in those 6 s; queue drops {call.Link.Counters.QueueDrops}");
        Assert.StartsWith("320x240@", stepped.GetProperty("rung").GetString(), StringComparison.Ordinal);
        Assert.True(shownAfter - shownBefore >= 10, $"the callee showed {shownAfter - shownBefore} frames in 6 s of the smaller picture");
        if (later.GetProperty("rung").GetString() == "320x240@15")
            Assert.True(later.GetProperty("sent_fps").GetDouble() <= 20, $"on a 15 fps rung {later.GetProperty("sent_fps")} frames a second were sent");

        call.Link.SetProfile(LinkProfile.Clean with { Delay = 20 * Ms });
        var back = Poll(call.Caller, TimeSpan.FromSeconds(60), s => s.GetProperty("sent_size").GetString() == "640x480" && s.GetProperty("rung").GetString() == "640x480@30");
        output.WriteLine($"after the cap lifted: rung {back.GetProperty("rung")}, sent {back.GetProperty("sent_size")}, target {back.GetProperty("target_bitrate_kbps")} kbit/s");
    }

    /// <summary>The caller's stats once <paramref name="done"/> holds, asked for once a second; fails with the last answer after <paramref name="within"/>.</summary>
    private JsonElement Poll(LabNode node, TimeSpan within, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var stats = Stats(node);
            if (done(stats)) return stats;
            Assert.True(DateTime.UtcNow < deadline, $"not within {within.TotalSeconds:0} s: rung {stats.GetProperty("rung")}, sent {stats.GetProperty("sent_size")}, target {stats.GetProperty("target_bitrate_kbps")} kbit/s");
            Thread.Sleep(TimeSpan.FromSeconds(1));
        }
    }
}
