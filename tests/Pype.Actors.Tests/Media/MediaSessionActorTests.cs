using Akka.Actor;
using Akka.TestKit.Xunit2;
using Pype.Actors.Media;
using Pype.Core.Identity;
using Pype.Core.Media;
using Pype.Lab;
using Pype.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Actors.Tests.Media;

// Real ffmpeg processes on a two-core machine: these run one at a time (see AssemblyInfo).
[Collection(MediaCollection.Name)]
public sealed class MediaSessionActorTests(ITestOutputHelper output) : TestKit
{
    private readonly TempDirectory dir = new();
    private readonly HashAddress a = MediaCall.NewAddress();
    private readonly HashAddress b = MediaCall.NewAddress();

    private string Y4m => dir.File("b.y4m");
    private string Wav => dir.File("b.wav");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        dir.Dispose();
    }

    /// <summary>A sends test video and a 440 Hz tone; B sends an 880 Hz tone and writes what it receives to files.</summary>
    private (IActorRef A, IActorRef B) StartCall(double dropRate = 0, double swapRate = 0.02, string keyframeInterval = "1s") =>
        StartCall(new MediaLink(dropRate, swapRate), keyframeInterval);

    private (IActorRef A, IActorRef B) StartCall(MediaLink link, string keyframeInterval)
    {
        var (specA, specB) = MediaCall.Specs(0xCA11, a, b);
        var relay = Sys.ActorOf(Props.Create(() => new MediaRelay(link, 7)), "relay");
        var sessionA = Sys.ActorOf(MediaSessionActor.Props(specA, MediaCall.Settings("test", "none", "sine:440", "none", keyframeInterval), relay), "call-a");
        var sessionB = Sys.ActorOf(MediaSessionActor.Props(specB, MediaCall.Settings("none", $"file:{Y4m}", "sine:880", $"file:{Wav}", keyframeInterval), relay), "call-b");
        relay.Tell(new MediaRelay.Connect(a, sessionA, b, sessionB));
        return (sessionA, sessionB);
    }

    private MediaStats Stats(IActorRef session) => session.Ask<MediaStats>(GetMediaStats.Instance, TimeSpan.FromSeconds(5)).Result;

    private void StopAndWait(IActorRef session)
    {
        Watch(session);
        session.Tell(PoisonPill.Instance);
        ExpectTerminated(session, TimeSpan.FromSeconds(20));
    }

    private void AwaitRendered(IActorRef session, long atLeast, TimeSpan within) =>
        AwaitCondition(() => Stats(session).VideoFramesRendered >= atLeast, within, TimeSpan.FromMilliseconds(100));

    /// <summary>
    /// Every picture B wrote: ffprobe reads the file cleanly, at least 95 % carry a readable stamp,
    /// the stamped indices only rise, and their luma PSNR against the source frames averages at
    /// least 32 dB. Not every stamp: each periodic IDR must fit the VBV buffer of 1/15 s and comes
    /// out squeezed (PSNR-Y 33–34 dB where the other pictures have 41). On a loaded machine, frames
    /// dropped before the encoder make the P-frames dearer and leave the buffer emptier, and one such
    /// IDR lost its stamp: the picture between stamps 53 and 55 of a prepared call, with no frame
    /// lost, incomplete or asked for again.
    /// </summary>
    private (int Pictures, List<(long Index, double Psnr)> Stamped) CheckReceivedVideo()
    {
        var (probed, errors) = MediaCall.Probe(Y4m);
        Assert.Equal("", errors);
        var frames = MediaSignals.ReadY4mFrames(Y4m, MediaCall.Width, MediaCall.Height);
        Assert.Equal(frames.Count, probed);
        var indices = frames.Select(f => FrameStamp.Read(f, MediaCall.Width, MediaCall.Height)).ToList();
        var unreadable = indices.Select((index, n) => (index, n)).Where(p => p.index is null).Select(p => p.n).ToList();
        Assert.True(unreadable.Count <= 0.05 * frames.Count, $"stamps unreadable in pictures {string.Join(",", unreadable)} of {frames.Count}");
        var stamped = frames.Select((picture, n) => (Picture: picture, Index: indices[n])).Where(p => p.Index is not null).Select(p => (p.Picture, Index: p.Index!.Value)).ToList();
        var source = MediaCall.SourceFrames(dir.Path, (int)stamped.Max(p => p.Index) + 1);
        var result = stamped.Select(p => (p.Index, MediaSignals.LumaPsnr(p.Picture, source[(int)p.Index], MediaCall.Width, MediaCall.Height))).ToList();
        for (var n = 1; n < result.Count; n++) Assert.True(result[n].Item1 > result[n - 1].Item1, $"stamped picture {n} has index {result[n].Item1} after {result[n - 1].Item1}");
        var mean = result.Average(r => r.Item2);
        output.WriteLine($"{frames.Count} pictures ({unreadable.Count} without a readable stamp), indices {result[0].Item1}..{result[^1].Item1}, PSNR-Y mean {mean:F1} dB, min {result.Min(r => r.Item2):F1} dB");
        Assert.True(mean >= 32, $"PSNR-Y {mean:F1} dB is below 32 dB");
        return (frames.Count, result);
    }

    /// <summary>Stops A, gives B a moment for the last packets, stops B; prints both sides' stats and checks no ffmpeg is left.</summary>
    private (MediaStats Sent, MediaStats Received) EndCall(IActorRef sessionA, IActorRef sessionB)
    {
        var sent = Stats(sessionA);
        StopAndWait(sessionA);
        Thread.Sleep(200);
        var received = Stats(sessionB);
        StopAndWait(sessionB);
        output.WriteLine("A: " + Describe(sent));
        output.WriteLine("B: " + Describe(received));
        FfmpegTool.AssertNoFfmpegChildren();
        return (sent, received);
    }

    /// <summary>A sent at the configured format, and B's file holds at least 90 % of what A sent, clean (<see cref="CheckReceivedVideo"/>).</summary>
    private void AssertTheVideoSentArrived(MediaStats sent)
    {
        var (pictures, _) = CheckReceivedVideo();
        Assert.True(pictures >= 0.9 * sent.VideoFramesSent, $"{pictures} of {sent.VideoFramesSent} frames arrived");
        Assert.Equal((640, 480, 30, 1500), (sent.SendWidth, sent.SendHeight, sent.SendFrameRate, sent.SendBitrateKbps));
    }

    /// <summary>B's wav: its length in samples and its strongest frequency on a 55 Hz grid (440 and 880 both on it).</summary>
    private (int Samples, double DominantHz) ReceivedTone()
    {
        var tone = MediaSignals.ReadWavAsync(Wav).GetAwaiter().GetResult();
        return (tone.Length, MediaSignals.DominantFrequency(tone, Enumerable.Range(1, 40).Select(i => i * 55.0)));
    }

    private static string Describe(MediaStats stats) =>
        $"captured {stats.VideoFramesCaptured}, encoded {stats.VideoFramesEncoded}, sent {stats.VideoFramesSent} frames / {stats.PacketsSent} packets; " +
        $"received {stats.PacketsReceived} packets, frames complete {stats.VideoFramesReceivedComplete} incomplete {stats.VideoFramesReceivedIncomplete}, " +
        $"decoded {stats.VideoFramesDecoded}, rendered {stats.VideoFramesRendered}, latency p50 {stats.CaptureToRenderP50?.TotalMilliseconds:F1} ms " +
        $"p95 {stats.CaptureToRenderP95?.TotalMilliseconds:F1} ms; audio sent {stats.AudioPacketsSent} received {stats.AudioPacketsReceived} " +
        $"concealed {stats.AudioFramesConcealed} recovered {stats.AudioFramesRecovered}; restarts enc {stats.EncoderRestarts} dec {stats.DecoderRestarts}; " +
        $"rtt {stats.RoundTrip?.TotalMilliseconds:F0} ms, loss {stats.LossFraction:F3} remote {stats.RemoteLossFraction:F3}, target {stats.TargetBitrateKbps} kb/s " +
        $"({stats.RungWidth}x{stats.RungHeight}@{stats.RungFrameRate}), send {stats.SendBitrate / 1000} kb/s recv {stats.ReceiveBitrate / 1000} kb/s, " +
        $"nacks {stats.NacksSent}/{stats.NacksReceived} plis {stats.PlisSent}/{stats.PlisReceived} resent {stats.VideoPacketsRetransmitted} gone {stats.VideoPacketsNackedButGone}, " +
        $"freeze {stats.FreezeTime.TotalMilliseconds:F0} ms ({stats.Freezes}), hold {stats.VideoRepairWindow.TotalMilliseconds:F0} ms; " +
        $"jitter video {stats.VideoJitter.TotalMilliseconds:F1} per frame {stats.VideoFrameJitter.TotalMilliseconds:F1} audio {stats.AudioJitter.TotalMilliseconds:F1} ms, playout video {stats.VideoPlayoutDelay.TotalMilliseconds:F0} " +
        $"audio {stats.AudioPlayoutDelay.TotalMilliseconds:F0} ms, audio underruns {stats.AudioUnderruns} dropped {stats.AudioFramesDropped} stretched {stats.AudioFramesStretched}, " +
        $"audio capture→play p50 {stats.AudioCaptureToPlayP50?.TotalMilliseconds:F1} p95 {stats.AudioCaptureToPlayP95?.TotalMilliseconds:F1} ms; " +
        $"drops {string.Join(", ", stats.DropsByReason.Select(d => $"{d.Key}={d.Value}"))}";

    [Fact]
    public void A_call_carries_stamped_video_and_a_440_Hz_tone_that_arrive_whole_in_files()
    {
        var (sessionA, sessionB) = StartCall();
        AwaitRendered(sessionB, 100, TimeSpan.FromSeconds(15));
        var (sent, received) = EndCall(sessionA, sessionB);

        AssertTheVideoSentArrived(sent);
        Assert.NotNull(received.CaptureToRenderP50);
        Assert.Equal(0, received.VideoFramesReceivedIncomplete);

        var (samples, hz) = ReceivedTone();
        Assert.True(samples >= AudioFormat.SampleRate, $"only {samples} samples in the wav");
        Assert.Equal(440, hz);
        Assert.True(sent.AudioPacketsReceived > 0, "B's tone did not reach A");
        Assert.False(received.DropsByReason.ContainsKey("foreign-ssrc"));

        // A clean path adds (almost) no playout delay: audio keeps its 20 ms floor, video none.
        Assert.InRange(received.AudioPlayoutDelay.TotalMilliseconds, 20, 60);
        Assert.InRange(received.VideoPlayoutDelay.TotalMilliseconds, 0, 15);
        Assert.NotNull(received.AudioCaptureToPlayP50);
        Assert.InRange(received.AudioCaptureToPlayP50!.Value.TotalMilliseconds, 0, 100);
        Assert.True(received.AudioFramesPlayed >= 45, $"only {received.AudioFramesPlayed} audio frames played");
    }

    [Fact]
    public void Lost_packets_never_reach_the_decoder_and_video_resumes_at_the_next_keyframe()
    {
        // Without feedback nothing is NACKed or asked for, so only the periodic keyframe ends a broken stretch.
        var (sessionA, sessionB) = StartCall(new MediaLink(DropRate: 0.01, SwapRate: 0.01, DropFeedback: true, DropEveryNthAudio: 25), keyframeInterval: "500ms");
        AwaitCondition(() => Stats(sessionB) is { VideoFramesReceivedIncomplete: > 0, VideoFramesRendered: > 60 }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        var rendered = Stats(sessionB).VideoFramesRendered;
        AwaitRendered(sessionB, rendered + 15, TimeSpan.FromSeconds(10));
        var received = Stats(sessionB);
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        output.WriteLine("B: " + Describe(received));
        FfmpegTool.AssertNoFfmpegChildren();

        CheckReceivedVideo();
        Assert.True(received.DropsByReason.GetValueOrDefault("incomplete-frame") > 0);
        Assert.True(received.AudioFramesConcealed + received.AudioFramesRecovered > 0, "no lost audio frame was filled in");
        Assert.Equal(440, ReceivedTone().DominantHz);
    }

    [Fact]
    public void Killed_decoder_and_encoder_ffmpegs_are_restarted_and_frames_keep_arriving()
    {
        var (sessionA, sessionB) = StartCall();
        AwaitRendered(sessionB, 30, TimeSpan.FromSeconds(15));

        var decoder = Assert.Single(MediaCall.FfmpegChildren("-probesize 32"));
        MediaCall.Kill(decoder);
        AwaitCondition(() => Stats(sessionB).DecoderRestarts == 1, TimeSpan.FromSeconds(10));
        var rendered = Stats(sessionB).VideoFramesRendered;
        AwaitRendered(sessionB, rendered + 30, TimeSpan.FromSeconds(10));

        var encoder = MediaCall.FfmpegChildren("libx264")[0]; // the busy one; the idle one is the warm standby
        MediaCall.Kill(encoder);
        AwaitCondition(() => Stats(sessionA).EncoderRestarts >= 1, TimeSpan.FromSeconds(10));
        rendered = Stats(sessionB).VideoFramesRendered;
        AwaitRendered(sessionB, rendered + 30, TimeSpan.FromSeconds(10));

        output.WriteLine("A: " + Describe(Stats(sessionA)));
        output.WriteLine("B: " + Describe(Stats(sessionB)));
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();
        CheckReceivedVideo();
    }

    [Fact]
    public void A_missing_camera_is_reported_and_the_tone_still_arrives()
    {
        var (specA, specB) = MediaCall.Specs(0xCA12, a, b);
        var relay = Sys.ActorOf(Props.Create(() => new MediaRelay(0, 0, 7)));
        var settingsA = MediaCall.Settings("v4l2:/dev/video-missing", "none", "sine:440", "none", "1s");
        var parentA = Sys.ActorOf(Props.Create(() => new SessionParent(MediaSessionActor.Props(specA, settingsA, relay), TestActor)));
        var sessionB = Sys.ActorOf(MediaSessionActor.Props(specB, MediaCall.Settings("none", "none", "none", $"file:{Wav}", "1s"), relay));
        relay.Tell(new MediaRelay.Connect(a, parentA, b, sessionB));

        var problem = ExpectMsg<MediaProblem>(TimeSpan.FromSeconds(10));
        Assert.Equal(((UInt128)0xCA12, "video-capture"), (problem.CallId, problem.Stage));
        Assert.Contains("/dev/video-missing", problem.Message);
        AwaitCondition(() => Stats(sessionB).AudioPacketsReceived >= 50, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        StopAndWait(parentA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();
        Assert.Equal(440, ReceivedTone().DominantHz);
    }

    /// <summary>
    /// Both sides prepared while ringing, as the call manager starts them: A (the caller) without
    /// B's answer yet, B (the callee) with A's offer. Returns the relay too, connected from the start,
    /// so anything sent before the answer would reach the other side.
    /// </summary>
    private (IActorRef A, IActorRef B) PrepareCall(MediaSessionSpec specA, MediaSessionSpec specB)
    {
        var relay = Sys.ActorOf(Props.Create(() => new MediaRelay(0, 0.02, 7)), "relay");
        var sessionA = Sys.ActorOf(MediaSessionActor.Prepare(specA with { Remote = null }, MediaCall.Settings("test", "none", "sine:440", "none", "1s"), relay), "call-a");
        var sessionB = Sys.ActorOf(MediaSessionActor.Prepare(specB, MediaCall.Settings("none", $"file:{Y4m}", "sine:880", $"file:{Wav}", "1s"), relay), "call-b");
        relay.Tell(new MediaRelay.Connect(a, sessionA, b, sessionB));
        // A's video capture, encoder and tone, B's tone and decoder: every process started while it rings.
        AwaitCondition(() => MediaCall.FfmpegChildren("").Count >= 5, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        return (sessionA, sessionB);
    }

    [Fact]
    public void A_call_prepared_while_ringing_sends_and_writes_nothing_until_answered_then_flows_whole()
    {
        var (specA, specB) = MediaCall.Specs(0xCA13, a, b);
        var (sessionA, sessionB) = PrepareCall(specA, specB);
        Thread.Sleep(TimeSpan.FromSeconds(1));
        var (ringingA, ringingB) = (Stats(sessionA), Stats(sessionB));
        Assert.Equal((0L, 0L, 0L), (ringingA.PacketsSent, ringingA.VideoFramesCaptured, ringingA.AudioFramesCaptured));
        Assert.Equal((0L, 0L), (ringingB.PacketsSent, ringingB.PacketsReceived));
        Assert.False(File.Exists(Y4m), "the video file was opened before the answer");
        Assert.False(File.Exists(Wav), "the audio file was opened before the answer");

        var answered = System.Diagnostics.Stopwatch.StartNew();
        sessionB.Tell(new StartMediaFlow(specB.Remote!));
        sessionA.Tell(new StartMediaFlow(specA.Remote!));
        AwaitRendered(sessionB, 1, TimeSpan.FromSeconds(15));
        output.WriteLine($"answer → first picture at B: {answered.ElapsedMilliseconds} ms (prepared; not asserted, see pype-bench call)");
        AwaitRendered(sessionB, 60, TimeSpan.FromSeconds(15));
        var (sent, _) = EndCall(sessionA, sessionB);

        AssertTheVideoSentArrived(sent);
        Assert.Equal(0, sent.EncoderRestarts);
        Assert.Equal(440, ReceivedTone().DominantHz);
        Assert.True(sent.AudioPacketsReceived > 0, "B's tone did not reach A");
    }

    [Fact]
    public void A_prepared_call_never_answered_ends_its_processes_and_leaves_no_files()
    {
        var (specA, specB) = MediaCall.Specs(0xCA14, a, b);
        var (sessionA, sessionB) = PrepareCall(specA, specB);
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();
        Assert.False(File.Exists(Y4m));
        Assert.False(File.Exists(Wav));
    }

    [Fact]
    public void An_answer_with_smaller_limits_than_the_caller_prepared_for_restarts_its_video_at_the_negotiated_format()
    {
        var (specA, specB) = MediaCall.Specs(0xCA15, a, b);
        var small = specA.Remote! with { Limits = new Pype.Core.Calls.VideoLimits(320, 240, 15, 300) };
        var (sessionA, sessionB) = PrepareCall(specA, specB with { Local = small });
        Assert.Equal((640, 480), (Stats(sessionA).SendWidth, Stats(sessionA).SendHeight));

        sessionB.Tell(new StartMediaFlow(specB.Remote!));
        sessionA.Tell(new StartMediaFlow(small));
        AwaitRendered(sessionB, 30, TimeSpan.FromSeconds(15));
        var sent = Stats(sessionA);
        output.WriteLine("A: " + Describe(sent));
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();

        Assert.Equal((320, 240, 15, 300), (sent.SendWidth, sent.SendHeight, sent.SendFrameRate, sent.SendBitrateKbps));
        Assert.Equal((320, 240), (sent.SentWidth, sent.SentHeight));
        Assert.Equal(0, sent.EncoderRestarts);
    }

    /// <summary>Runs the call for <paramref name="length"/> from B's first shown frame; returns A's and B's stats at both ends of that span.</summary>
    private (MediaStats A0, MediaStats B0, MediaStats A1, MediaStats B1) RunFor(IActorRef sessionA, IActorRef sessionB, TimeSpan length)
    {
        AwaitRendered(sessionB, 1, TimeSpan.FromSeconds(15));
        var (a0, b0) = (Stats(sessionA), Stats(sessionB));
        Thread.Sleep(length);
        var (a1, b1) = (Stats(sessionA), Stats(sessionB));
        output.WriteLine("A: " + Describe(a1));
        output.WriteLine("B: " + Describe(b1));
        return (a0, b0, a1, b1);
    }

    [Fact]
    public void With_5_percent_loss_NACK_repairs_most_gaps_and_the_picture_hardly_freezes()
    {
        var (sessionA, sessionB) = StartCall(new MediaLink(DropRate: 0.05, SwapRate: 0.01, OneWay: TimeSpan.FromMilliseconds(20)), "2s");
        var (a0, b0, a1, b1) = RunFor(sessionA, sessionB, TimeSpan.FromSeconds(10));
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();

        var shown = (double)(b1.VideoFramesRendered - b0.VideoFramesRendered) / (a1.VideoFramesSent - a0.VideoFramesSent);
        output.WriteLine($"shown {shown:P1}, freeze {(b1.FreezeTime - b0.FreezeTime).TotalMilliseconds:F0} ms");
        Assert.True(shown >= 0.85, $"only {shown:P1} of the frames sent were shown");
        // The issue's bound (≤ 1 s over 30 s) is held by the NAT-lab test at 320x240; here both
        // sides' four ffmpegs share two cores at 640x480 within one test process, and a PLI's
        // keyframe can wait for the encoder's standby, so the bound is per 10 s and looser.
        Assert.True(b1.FreezeTime - b0.FreezeTime <= TimeSpan.FromSeconds(2), $"froze {b1.FreezeTime.TotalMilliseconds:F0} ms");
        Assert.True(a1.VideoPacketsRetransmitted > 0, "nothing was retransmitted");
        Assert.True(b1.NacksSent > 0 && a1.NacksReceived > 0);
        Assert.InRange(a1.RoundTrip!.Value.TotalMilliseconds, 30, 150);
        // RFC 3550 counts a retransmitted packet as received, so the loss B reports is what NACK left unrepaired.
        Assert.InRange(a1.RemoteLossFraction!.Value, 0, 0.05);
        CheckReceivedVideo();
    }

    [Fact]
    public void With_20_percent_loss_the_call_stays_up_and_the_tone_keeps_coming_concealed()
    {
        var (sessionA, sessionB) = StartCall(new MediaLink(DropRate: 0.2, SwapRate: 0.01, OneWay: TimeSpan.FromMilliseconds(20)), "1s");
        var (_, b0, a1, b1) = RunFor(sessionA, sessionB, TimeSpan.FromSeconds(6));
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();

        Assert.True(b1.AudioPacketsReceived - b0.AudioPacketsReceived >= 150, "audio stopped flowing");
        Assert.True(b1.AudioFramesConcealed + b1.AudioFramesRecovered > 0, "no lost audio frame was filled in");
        Assert.True(b1.VideoFramesRendered > b0.VideoFramesRendered, "video stopped");
        Assert.True(a1.TargetBitrateKbps < a1.SendBitrateKbps, "heavy loss did not lower the target");
        Assert.Equal(440, ReceivedTone().DominantHz);
    }

    [Fact]
    public void Behind_a_600_kbit_bottleneck_the_target_bitrate_settles_under_the_cap()
    {
        var (sessionA, sessionB) = StartCall(new MediaLink(OneWay: TimeSpan.FromMilliseconds(10), CapBitsPerSecond: 600_000), "2s");
        AwaitRendered(sessionB, 1, TimeSpan.FromSeconds(15));
        AwaitCondition(() => Stats(sessionA).TargetBitrateKbps < 600, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        var trace = new List<MediaStats>();
        for (var i = 0; i < 16; i++)
        {
            Thread.Sleep(250);
            trace.Add(Stats(sessionA));
        }
        output.WriteLine("target/send kb/s every 250 ms: " + string.Join(" ", trace.Select(s => $"{s.TargetBitrateKbps}/{s.SendBitrate / 1000}")));
        var sent = trace[^1];
        output.WriteLine("A: " + Describe(sent));
        output.WriteLine("B: " + Describe(Stats(sessionB)));
        StopAndWait(sessionA);
        StopAndWait(sessionB);
        FfmpegTool.AssertNoFfmpegChildren();

        // Loss-based control saw-tooths: with no loss the target climbs 8 % a second until x264 (which
        // sends about 75 % of its target here) fills the cap, then it is cut again. So the middle of
        // the 4 s trace is under the cap, and what actually left in the last 2 s stayed under it.
        var targets = trace.Select(s => s.TargetBitrateKbps).Order().ToList();
        Assert.True(targets[targets.Count / 2] < 600, $"median target {targets[targets.Count / 2]} kb/s over 4 s");
        Assert.All(trace.TakeLast(8), s => Assert.True(s.SendBitrate < 600_000, $"sent {s.SendBitrate / 1000} kb/s in a second, 2–4 s after settling"));
        Assert.True(sent.EncoderBitrateKbps < 700, $"the encoder still runs at {sent.EncoderBitrateKbps} kb/s");
        Assert.True(sent.EncoderReconfigurations > 0);
        Assert.Equal(0, sent.EncoderRestarts);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MediaCollection
{
    public const string Name = "media processes";
}
