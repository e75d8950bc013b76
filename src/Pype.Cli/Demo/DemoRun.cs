using System.Diagnostics;
using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Seed;

namespace Pype.Cli.Demo;

/// <summary>
/// <c>pype demo</c>: a seed and two nodes on this machine (three actor systems in this process,
/// each with its own UDP socket on 127.0.0.1 and its own data directory). Alice calls Bob, who
/// answers unattended; both send test video (the frame index stamped in the picture) and a sine;
/// Bob shows Alice's video and both write what they receive to files. Per-second statistics,
/// then a hang-up after the set time and a summary.
/// </summary>
internal sealed class DemoRun(DemoOptions options, TextWriter output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    /// <summary>Set when the video is drawn in this terminal: the picture owns the rows above, text scrolls below it.</summary>
    private TerminalLayout? terminal;

    private sealed record TerminalLayout(int PictureColumns, int PictureRows, int Height);

    public async Task<int> RunAsync(IReadOnlyDictionary<string, string> extraSettings, CancellationToken cancel)
    {
        var scratch = Directory.CreateTempSubdirectory("pype-demo-");
        Directory.CreateDirectory(options.OutputDirectory);
        var hosts = new List<PypeHost>();
        try
        {
            Say($"starting a seed and two nodes (data in {scratch.FullName})");
            var seed = await StartAsync(hosts, new Dictionary<string, string>
            {
                ["pype.data-dir"] = Path.Combine(scratch.FullName, "seed"),
                ["pype.seed.enabled"] = "on",
                ["pype.seed.listen"] = "127.0.0.1:0",
            }, extraSettings);
            var seedKey = (await seed.Seed!.Ask<SeedIdentityView>(new SeedWhoAmI(), StepTimeout)).PublicKeyHex;
            var seeds = $"{seed.SeedListen}@{seedKey}";

            var alice = await StartNodeAsync(hosts, scratch, "alice", seeds, extraSettings, autoAnswer: false, VideoOutFor("alice", show: false), 440);
            var bob = await StartNodeAsync(hosts, scratch, "bob", seeds, extraSettings, autoAnswer: true, VideoOutFor("bob", show: true), 660);
            var aliceEvents = new DemoEvents(alice.System, alice.Node!, "alice");
            var bobEvents = new DemoEvents(bob.System, bob.Node!, "bob");
            await aliceEvents.WaitForAsync<RegisteredAtSeed>(StepTimeout);
            await bobEvents.WaitForAsync<RegisteredAtSeed>(StepTimeout);
            var bobAddress = ((IdentityView)await bob.Node!.Ask<NodeReply>(new WhoAmI(), StepTimeout)).Address;
            Say($"alice and bob registered at the seed {seed.SeedListen}");

            var placed = await alice.Node!.Ask<NodeReply>(new PlaceCall(bobAddress), StepTimeout);
            if (placed is CommandFailed failed) throw new DemoFailedException($"alice could not call: {failed.Message}");
            var established = await aliceEvents.WaitForAsync<CallEstablished>(StepTimeout);
            await bobEvents.WaitForAsync<CallEstablished>(StepTimeout);
            Say($"call established in {established.SetupMs:0} ms ({established.Video}, {established.Audio}); hanging up in {options.Duration.TotalSeconds:0} s");

            var stats = new DemoStatistics(Say);
            var until = DateTime.UtcNow + options.Duration;
            while (DateTime.UtcNow < until && !cancel.IsCancellationRequested)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(1), cancel); }
                catch (OperationCanceledException) { break; }
                await stats.SampleAsync(alice.Node!, bob.Node!, StepTimeout);
            }

            var hungUpAt = clock.Elapsed;
            await alice.Node!.Ask<NodeReply>(new EndCall(null, Pype.Actors.Calls.CallAction.HangUp, "hangup"), StepTimeout);
            var aliceEnded = await aliceEvents.WaitForAsync<CallEnded>(StepTimeout);
            var bobEnded = await bobEvents.WaitForAsync<CallEnded>(StepTimeout);
            Say($"hung up: alice {aliceEnded.Reason}, bob {bobEnded.Reason} after {(clock.Elapsed - hungUpAt).TotalMilliseconds:0} ms");
            stats.PrintSummary(established.SetupMs, options.OutputDirectory);
            if (stats.NothingArrived() is { } nothing) throw new DemoFailedException(nothing);
            return 0;
        }
        catch (DemoFailedException ex)
        {
            output.WriteLine($"demo failed: {ex.Message}");
            return 1;
        }
        finally
        {
            if (terminal is not null) output.Write($"\u001b[r\u001b[{terminal.Height};1H\n");
            foreach (var host in Enumerable.Reverse(hosts))
            {
                await host.ShutdownAsync();
                await host.DisposeAsync();
            }
            try { scratch.Delete(recursive: true); }
            catch (IOException) { }
        }
    }

    private async Task<PypeHost> StartNodeAsync(List<PypeHost> hosts, DirectoryInfo scratch, string name, string seeds,
        IReadOnlyDictionary<string, string> extra, bool autoAnswer, string videoOut, int toneHz)
    {
        var received = Path.Combine(options.OutputDirectory, $"{name}-received");
        return await StartAsync(hosts, new Dictionary<string, string>
        {
            ["pype.data-dir"] = Path.Combine(scratch.FullName, name),
            ["pype.node.enabled"] = "on",
            ["pype.node.listen"] = "127.0.0.1:0",
            ["pype.node.candidate-ranges"] = "lab",
            ["pype.node.seeds"] = seeds,
            ["pype.node.overlay-degree"] = "0",
            ["pype.node.auto-answer"] = autoAnswer ? "on" : "off",
            ["pype.media.video.source"] = "test",
            ["pype.media.video.width"] = options.Width.ToString(),
            ["pype.media.video.height"] = options.Height.ToString(),
            ["pype.media.video.out"] = videoOut.Length == 0 ? "none" : videoOut,
            ["pype.media.video.record"] = $"file:{received}.y4m",
            ["pype.media.audio.source"] = $"sine:{toneHz}",
            ["pype.media.audio.record"] = $"file:{received}.wav",
        }, extra);
    }

    private static async Task<PypeHost> StartAsync(List<PypeHost> hosts, Dictionary<string, string> settings, IReadOnlyDictionary<string, string> extra)
    {
        foreach (var (key, value) in extra) settings.TryAdd(key, value);
        var (loaded, config) = SettingsLoader.Load([], settings, _ => null);
        var started = DateTime.UtcNow;
        var host = await PypeHost.StartAsync(loaded, config, passphrase: null, () => DateTime.UtcNow - started);
        hosts.Add(host);
        return host;
    }

    /// <summary>Bob shows Alice's video: a window when there is a display, the terminal when stdout is one.</summary>
    private string VideoOutFor(string name, bool show)
    {
        if (!show) return "";
        return options.VideoOut switch
        {
            DemoVideoOut.Window => "window",
            DemoVideoOut.Terminal => TerminalOut(),
            DemoVideoOut.None => "",
            _ when Pype.Media.Video.FfplayWindowSink.DisplayAvailable => "window",
            _ when !System.Console.IsOutputRedirected => TerminalOut(),
            _ => "",
        };
    }

    /// <summary>
    /// The picture takes the top of the screen (two pixels per character cell, aspect kept) and
    /// the text lines scroll in a region below it, so neither overwrites the other.
    /// </summary>
    private string TerminalOut()
    {
        var (width, height) = System.Console.IsOutputRedirected ? (80, 40) : (System.Console.WindowWidth, System.Console.WindowHeight);
        var rows = Math.Clamp(height - 8, 6, 60);
        var columns = Math.Clamp(Math.Min(width, rows * 2 * options.Width / options.Height), 8, 400);
        terminal = new TerminalLayout(columns, rows, height);
        output.Write($"\u001b[2J\u001b[{rows + 2};{height}r\u001b[{height};1H");
        return $"terminal:{columns}x{rows}";
    }

    private void Say(string line)
    {
        var text = $"[{clock.Elapsed.TotalSeconds,5:0.0}s] {line}";
        // One write, so a picture being drawn from another thread cannot land inside the line.
        output.Write(terminal is { } t ? $"\u001b[{t.Height};1H\n{text}" : text + "\n");
    }
}
