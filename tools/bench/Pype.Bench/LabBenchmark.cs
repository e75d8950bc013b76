using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using Pype.Lab;

namespace Pype.Bench;

/// <summary>What one lab pair measured: per-side setup times, wall times from the connect command, failures.</summary>
[SupportedOSPlatform("linux")]
public sealed record LabPairResult(
    LabPair Pair,
    int Runs,
    IReadOnlyList<double> SetupMs,
    IReadOnlyList<double> ConnectCommandToConnectedMs,
    IReadOnlyDictionary<string, int> PathsAtA,
    IReadOnlyList<string> Failures);

/// <summary>What sym ↔ sym measured: wall time from the connect command to no-direct-path at A, and the node's own elapsed_ms.</summary>
public sealed record NoDirectPathResult(int Runs, IReadOnlyList<double> WallMs, IReadOnlyList<double> ElapsedMs, IReadOnlyList<string> Failures);

/// <summary>
/// Real `pype seed` and `pype node` processes in the NAT lab: a seed and two nodes per pair,
/// started once, then the same two nodes connect and hang up again and again. Reports, asserts
/// nothing. Every lab is torn down on the way out, also when <paramref name="cancel"/> fires
/// (Ctrl-C): the current lab is disposed from the cancellation callback, which makes every
/// pending wait end at once.
/// </summary>
[SupportedOSPlatform("linux")] // network namespaces and nftables
public sealed class LabBenchmark(CancellationToken cancel, TextWriter progress) : IDisposable
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SettleAfterFailure = TimeSpan.FromSeconds(2);
    private static readonly string[] ConnectOutcomes = ["peer-connected", "no-direct-path", "error"];

    private readonly Lock gate = new();
    private LabNetwork? current;

    public LabPairResult MeasureDirect(LabPair pair, int runs) => WithNodes(pair, (a, b) =>
    {
        var setup = new List<double>();
        var wall = new List<double>();
        var paths = new Dictionary<string, int>();
        var failures = new List<string>();
        for (var run = 1; run <= runs; run++)
        {
            cancel.ThrowIfCancellationRequested();
            progress.WriteLine($"{pair.Name}: run {run}/{runs}");
            try
            {
                var clock = Stopwatch.StartNew();
                a.Send($"connect {b.Address}");
                var atA = a.Process.WaitForAny(ConnectOutcomes, EventTimeout, e => IsConnectOutcomeAbout(e, b.Hash));
                if (Name(atA) != "peer-connected") throw new RunFailed(Describe(atA));
                var atB = b.Process.WaitForAny(ConnectOutcomes, EventTimeout, e => IsConnectOutcomeAbout(e, a.Hash));
                if (Name(atB) != "peer-connected") throw new RunFailed("at B: " + Describe(atB));
                wall.Add(clock.Elapsed.TotalMilliseconds);
                setup.Add(atA.GetProperty("setup_ms").GetDouble());
                setup.Add(atB.GetProperty("setup_ms").GetDouble());
                var path = Str(atA, "path");
                paths[path] = paths.GetValueOrDefault(path) + 1;
                HangUp(a, b);
                HangUp(b, a);
            }
            catch (Exception e) when (!cancel.IsCancellationRequested && e is RunFailed or TimeoutException)
            {
                failures.Add($"run {run}: {FirstLine(e.Message)}");
                Recover(a, b);
            }
        }

        return new LabPairResult(pair, runs, setup, wall, paths, failures);
    });

    public NoDirectPathResult MeasureNoDirectPath(int runs) => WithNodes(LabPair.SymToSym, (a, b) =>
    {
        var wall = new List<double>();
        var elapsed = new List<double>();
        var failures = new List<string>();
        for (var run = 1; run <= runs; run++)
        {
            cancel.ThrowIfCancellationRequested();
            progress.WriteLine($"{LabPair.SymToSym.Name}: run {run}/{runs}");
            try
            {
                var clock = Stopwatch.StartNew();
                a.Send($"connect {b.Address}");
                var atA = a.Process.WaitForAny(ConnectOutcomes, EventTimeout, e => IsConnectOutcomeAbout(e, b.Hash));
                if (Name(atA) != "no-direct-path") throw new RunFailed("expected no-direct-path: " + Describe(atA));
                wall.Add(clock.Elapsed.TotalMilliseconds);
                elapsed.Add(atA.GetProperty("elapsed_ms").GetDouble());
                b.Process.WaitForAny(ConnectOutcomes, EventTimeout, e => IsConnectOutcomeAbout(e, a.Hash));
            }
            catch (Exception e) when (!cancel.IsCancellationRequested && e is RunFailed or TimeoutException)
            {
                failures.Add($"run {run}: {FirstLine(e.Message)}");
                Recover(a, b);
            }
        }

        return new NoDirectPathResult(runs, wall, elapsed, failures);
    });

    /// <summary>Disposes the lab in use, if any. Safe to call from any thread, more than once.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            current?.Dispose();
            current = null;
        }
    }

    private T WithNodes<T>(LabPair pair, Func<LabNode, LabNode, T> measure)
    {
        cancel.ThrowIfCancellationRequested();
        progress.WriteLine($"{pair.Name}: building the lab, starting the seed and two nodes");
        using var registration = cancel.Register(Dispose);
        try
        {
            var network = LabNetwork.Start(pair.ModeA, pair.ModeB);
            lock (gate) current = network;
            cancel.ThrowIfCancellationRequested(); // a Ctrl-C during Start found no lab to dispose
            var a = network.StartNode(network.Lab.HostA);
            var b = network.StartNode(pair.SameNat ? network.Lab.HostA2 : network.Lab.HostB);
            if (pair.LossPercent > 0) network.Lab.SetLoss(pair.LossPercent); // after both registered, like the lab test
            return measure(a, b);
        }
        catch (Exception e) when (cancel.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("interrupted", e, cancel); // the teardown made a wait fail
        }
        finally
        {
            Dispose();
        }
    }

    private static void HangUp(LabNode node, LabNode other)
    {
        node.Send($"disconnect {other.Hash}");
        node.Process.WaitForAny(["peer-disconnected", "error"], EventTimeout,
            e => Name(e) == "error" ? Str(e, "command") == "disconnect" : Str(e, "hash") == other.Hash);
    }

    /// <summary>After a failed run: hang up whatever half-exists, let stragglers arrive, forget them.</summary>
    private void Recover(LabNode a, LabNode b)
    {
        a.Send($"disconnect {b.Hash}");
        b.Send($"disconnect {a.Hash}");
        cancel.WaitHandle.WaitOne(SettleAfterFailure);
        a.Process.DiscardPending();
        b.Process.DiscardPending();
    }

    private static bool IsConnectOutcomeAbout(JsonElement e, string hash) =>
        Name(e) == "error" ? Str(e, "command") == "connect" : Str(e, "hash") == hash;

    private static string Describe(JsonElement e) =>
        Name(e) == "error" ? "error: " + Str(e, "message") : e.GetRawText();

    private static string Name(JsonElement e) => Str(e, "event");

    private static string Str(JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    private sealed class RunFailed(string message) : Exception(message);
}
