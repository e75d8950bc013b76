using System.Diagnostics;
using System.Text.Json;
using Pype.Core.Media;
using Pype.Lab;
using Pype.Media;
using Pype.Media.Processes;
using Pype.Media.Video;

namespace Pype.Bench;

/// <summary>
/// A call between two real pype node processes on this machine (a seed beside them, all on
/// loopback), and beside it the baseline: stock ffmpeg encoding the same test source with the same
/// x264 flags, sending it over UDP to a stock ffmpeg decoder. Latency is capture → picture out of
/// the decoder, read from the frame index stamped into each picture (one clock, one machine).
/// </summary>
/// <param name="ringing">How long the callee lets the call ring before it answers, like a person
/// reaching for the button; zero answers the moment the call arrives (an unattended node).</param>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class CallBenchmark(TextWriter log, CancellationToken cancel, TimeSpan ringing)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public sealed record Row(
        string Size, int Kbps, double CallToRingingMs, double FirstFrameAtCallerMs, double FirstFrameAtCalleeMs,
        double? PypeP50Ms, double? PypeP95Ms, double? AudioP50Ms, double? AudioP95Ms, long FramesSent, long FramesShown,
        double CallerCpuPercent, double CalleeCpuPercent,
        double? BaselineP50Ms, double? BaselineP95Ms, double BaselineCpuPercent)
    {
        /// <summary>At the callee when the call ended: the video playout gate's target and the per-frame jitter it follows.</summary>
        public (double PlayoutMs, double FrameJitterMs)? VideoPlayout { get; init; }
    }

    public Row Measure(int width, int height, int kbps, TimeSpan duration)
    {
        log.WriteLine($"call: pype {width}x{height} at {kbps} kbit/s for {duration.TotalSeconds:0} s");
        var pype = MeasurePype(width, height, kbps, duration);
        log.WriteLine($"call: stock ffmpeg → UDP → ffmpeg, {width}x{height}");
        var (p50, p95, cpu) = MeasureBaseline(width, height, kbps, duration);
        return pype with { BaselineP50Ms = p50, BaselineP95Ms = p95, BaselineCpuPercent = cpu };
    }

    private Row MeasurePype(int width, int height, int kbps, TimeSpan duration)
    {
        using var folder = new TempDirectory();
        // The picture must be decoded and handed to a sink for the latency to cover the whole
        // path; a y4m "file" that is /dev/null costs no disk.
        string Discard(string name)
        {
            var path = Path.Combine(folder.Path, name + "-discard.y4m");
            File.CreateSymbolicLink(path, "/dev/null");
            return path;
        }
        using var seed = PypeProcess.Start(["seed", "--config", RepositoryRoot.Hocon("seed.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", Path.Combine(folder.Path, "seed"), "--events", "json", "--set", "pype.seed.listen=127.0.0.1:0"]);
        var seedKey = seed.WaitFor("whoami", StepTimeout).GetProperty("public_key").GetString()!;
        var seedListen = seed.WaitFor("ready", StepTimeout).GetProperty("seed_listen").GetString()!;
        PypeProcess Node(string name, params string[] extra) => PypeProcess.Start([
            "node", "--config", RepositoryRoot.Hocon("node.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", Path.Combine(folder.Path, name), "--events", "json",
            "--set", $"pype.node.seeds={seedListen}@{seedKey}", "--set", "pype.node.overlay-degree=0",
            "--set", $"pype.media.video.width={width}", "--set", $"pype.media.video.height={height}",
            "--set", $"pype.media.video.bitrate-kbps={kbps}", "--set", $"pype.media.video.out=file:{Discard(name)}", .. extra],
            // .NET locks files it writes; /dev/null behind both links would be "in use" by the other node.
            new Dictionary<string, string> { ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "true" });
        using var caller = Node("caller");
        using var callee = Node("callee");
        var calleeAddress = callee.WaitFor("ready", StepTimeout).GetProperty("address").GetString()!;
        caller.WaitFor("seed-registered", StepTimeout);
        callee.WaitFor("seed-registered", StepTimeout);

        var placed = Stopwatch.StartNew();
        caller.Send($"call {calleeAddress}");
        callee.WaitFor("incoming-call", StepTimeout);
        caller.WaitFor("ringing", StepTimeout);
        var toRinging = placed.Elapsed.TotalMilliseconds;
        Wait(ringing);
        var answeredAt = DateTimeOffset.UtcNow;
        callee.Send("answer");
        caller.WaitFor("call-established", StepTimeout);
        callee.WaitFor("call-established", StepTimeout);
        // The nodes stamp each event with this machine's clock; polling `stats` instead would add
        // its own first round trip (tens to hundreds of milliseconds in a fresh process).
        double FirstPicture(PypeProcess node) => (node.WaitFor("first-picture", StepTimeout).GetProperty("time").GetDateTimeOffset() - answeredAt).TotalMilliseconds;
        var (firstAtCaller, firstAtCallee) = (FirstPicture(caller), FirstPicture(callee));

        Wait(TimeSpan.FromSeconds(2)); // past ffmpeg start-up
        var cpuBefore = (Cpu(caller.Id), Cpu(callee.Id));
        var wall = Stopwatch.StartNew();
        Wait(duration);
        var cpuAfter = (Cpu(caller.Id), Cpu(callee.Id));
        var seconds = wall.Elapsed.TotalSeconds;
        var atCallee = Stats(callee);
        var atCaller = Stats(caller);
        caller.Send("hangup");
        caller.WaitFor("call-ended", StepTimeout);
        return new Row($"{width}x{height}", kbps, toRinging,
            firstAtCaller, firstAtCallee,
            Number(atCallee, "capture_to_render_p50_ms"), Number(atCallee, "capture_to_render_p95_ms"),
            Number(atCallee, "audio_capture_to_play_p50_ms"), Number(atCallee, "audio_capture_to_play_p95_ms"),
            atCaller.GetProperty("video_frames_sent").GetInt64(), atCallee.GetProperty("video_frames_rendered").GetInt64(),
            Percent(cpuAfter.Item1 - cpuBefore.Item1, seconds), Percent(cpuAfter.Item2 - cpuBefore.Item2, seconds),
            null, null, 0)
        {
            VideoPlayout = (atCallee.GetProperty("video_playout_delay_ms").GetDouble(), atCallee.GetProperty("video_frame_jitter_ms").GetDouble()),
        };
    }

    private static JsonElement Stats(PypeProcess node)
    {
        node.DiscardPending();
        node.Send("stats");
        return node.WaitFor("stats", StepTimeout).GetProperty("calls")[0];
    }

    private static double? Number(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDouble() : null;

    private (double? P50, double? P95, double CpuPercent) MeasureBaseline(int width, int height, int kbps, TimeSpan duration)
    {
        var port = FreeUdpPort();
        var settings = new H264EncoderSettings(width, height, 30, kbps);
        using var decoder = StartFfmpeg(
            $"-hide_banner -loglevel error -nostdin -probesize 32 -analyzeduration 0 -flags low_delay -f h264 -i udp://127.0.0.1:{port} " +
            "-fps_mode passthrough -threads 1 -f rawvideo -pix_fmt yuv420p pipe:1");
        using var encoder = StartFfmpeg(
            $"-hide_banner -loglevel error -nostdin -f rawvideo -pix_fmt yuv420p -s {width}x{height} -r 30 -i pipe:0 " +
            $"-c:v libx264 -preset ultrafast -tune zerolatency -b:v {kbps}k -maxrate {kbps}k -bufsize {settings.BufferKbits}k -g 60 " +
            $"-x264-params aud=1:slice-max-size=1200 -flush_packets 1 -f h264 udp://127.0.0.1:{port}?pkt_size=1200");
        var captured = new System.Collections.Concurrent.ConcurrentDictionary<long, TimeSpan>();
        var latencies = new List<double>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var warmUntil = MediaClock.Now + TimeSpan.FromSeconds(2);
        var endAt = warmUntil + duration;
        var feeding = Task.Run(async () =>
        {
            await using var source = new TestPatternSource(width, height, 30);
            var input = encoder.StandardInput.BaseStream;
            await foreach (var frame in source.ReadFramesAsync(stop.Token))
            {
                captured[frame.Index] = frame.CaptureTime;
                await input.WriteAsync(frame.Yuv420p, stop.Token);
                await input.FlushAsync(stop.Token);
                if (MediaClock.Now > endAt) break;
            }
        }, stop.Token);
        var reading = Task.Run(() =>
        {
            var output = decoder.StandardOutput.BaseStream;
            var picture = new byte[VideoFrame.SizeOf(width, height)];
            while (!stop.IsCancellationRequested)
            {
                if (output.ReadAtLeast(picture, picture.Length, throwOnEndOfStream: false) < picture.Length) return;
                var now = MediaClock.Now;
                if (FrameStamp.Read(picture, width, height) is { } index && captured.TryGetValue(index, out var at) && now > warmUntil)
                    lock (latencies) latencies.Add((now - at).TotalMilliseconds);
            }
        }, stop.Token);
        var cpuBefore = Cpu(encoder.Id) + Cpu(decoder.Id);
        var wall = Stopwatch.StartNew();
        try
        {
            feeding.Wait(duration + TimeSpan.FromSeconds(15), cancel);
        }
        catch (AggregateException) when (cancel.IsCancellationRequested) { }
        var cpu = Percent(Cpu(encoder.Id) + Cpu(decoder.Id) - cpuBefore, wall.Elapsed.TotalSeconds);
        stop.CancelAfter(TimeSpan.FromMilliseconds(500));
        reading.Wait(TimeSpan.FromSeconds(2));
        encoder.Kill();
        decoder.Kill();
        lock (latencies)
        {
            if (latencies.Count == 0) return (null, null, cpu);
            latencies.Sort();
            return (latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.95)], cpu);
        }
    }

    private static Process StartFfmpeg(string arguments)
    {
        var info = new ProcessStartInfo("ffmpeg", arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        return Process.Start(info) ?? throw new InvalidOperationException("could not start ffmpeg");
    }

    private static int FreeUdpPort()
    {
        using var socket = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    private void Wait(TimeSpan span)
    {
        if (cancel.WaitHandle.WaitOne(span)) throw new OperationCanceledException(cancel);
    }

    /// <summary>CPU seconds of a process and its living children (the node's ffmpeg processes).</summary>
    private static double Cpu(int processId) =>
        ProcStats.CpuSeconds(processId) + ChildProcesses.Of(processId).Sum(child => ProcStats.CpuSeconds(child.Id));

    /// <summary>Share of the whole machine (all cores) over the interval.</summary>
    private static double Percent(double cpuSeconds, double wallSeconds) => 100 * cpuSeconds / (wallSeconds * Environment.ProcessorCount);

    public static void Print(TextWriter output, IReadOnlyList<Row> rows, TimeSpan ringing)
    {
        output.WriteLine($"Calls between two pype nodes on this machine (loopback, no added delay; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
        output.WriteLine($"The callee answers after {ringing.TotalMilliseconds:0} ms of ringing (pype.node.prepare-media-while-ringing on: media starts while it rings).");
        output.WriteLine("Latency: capture → picture out of the decoder and handed to the sink, read from the index stamped in each frame.");
        output.WriteLine();
        output.WriteLine("| size | kbit/s | call → ringing | answer → first picture (caller / callee) | pype p50 / p95 | stock ffmpeg→UDP→ffmpeg p50 / p95 | ratio p50 | mouth-to-ear p50 / p95 | frames shown / sent | video playout target / frame jitter at the end | CPU of the machine: caller / callee / stock pair |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            var ratio = r.PypeP50Ms is { } p && r.BaselineP50Ms is { } b && p > 0 ? $"{b / p:0.0}× faster" : "—";
            output.WriteLine($"| {r.Size} | {r.Kbps} | {r.CallToRingingMs:0} ms | {r.FirstFrameAtCallerMs:0} / {r.FirstFrameAtCalleeMs:0} ms | {Ms(r.PypeP50Ms)} / {Ms(r.PypeP95Ms)} | "
                + $"{Ms(r.BaselineP50Ms)} / {Ms(r.BaselineP95Ms)} | {ratio} | {Ms(r.AudioP50Ms)} / {Ms(r.AudioP95Ms)} | {r.FramesShown} / {r.FramesSent} | {Playout(r.VideoPlayout)} | {r.CallerCpuPercent:0} % / {r.CalleeCpuPercent:0} % / {r.BaselineCpuPercent:0} % |");
        }
        output.WriteLine();
        output.WriteLine("Mouth-to-ear: at the callee, the caller's tone from capture to the decoded frame handed to the audio output (jitter buffer included, no sound card).");
    }

    private static string Playout((double PlayoutMs, double FrameJitterMs)? playout) =>
        playout is var (target, jitter) ? $"{target:0} ms / {jitter:0.0} ms" : "—";

    private static string Ms(double? value) => value is { } v ? $"{v:0.0} ms" : "—";
}
