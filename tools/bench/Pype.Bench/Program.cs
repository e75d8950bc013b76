using System.Runtime.InteropServices;
using Pype.Bench;

// Benchmarks print figures and ratios; they assert nothing (this machine is shared and noisy).
//   pype-bench handshake         Noise handshakes per second on one core
//   pype-bench lab [--runs N]    connection set-up between real nodes in the NAT lab (root)
//   pype-bench gossip            the replicated address book, simulated (N = 100 and 1000)
//   pype-bench call [--seconds N] [--ring-ms N]
//                                 a call between two pype nodes vs stock ffmpeg→UDP→ffmpeg (640x480, 1280x720);
//                                 the callee answers after N ms of ringing (default 1000; 0 = at once)
//   pype-bench seeds             one seed and a cluster of three under 10k simulated clients; relaying through coturn
//   pype-bench all [--runs N]    all of them (default)
var which = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
var runs = 20;
var runsAt = Array.IndexOf(args, "--runs");
if (runsAt >= 0 && (runsAt + 1 >= args.Length || !int.TryParse(args[runsAt + 1], out runs) || runs < 1))
{
    Console.Error.WriteLine("--runs needs a whole number ≥ 1");
    return 2;
}

if (which is not ("all" or "handshake" or "lab" or "gossip" or "call" or "seeds"))
{
    Console.Error.WriteLine($"unknown benchmark '{which}': use handshake, lab, gossip, call, seeds or all");
    return 2;
}
var callSeconds = 10;
var secondsAt = Array.IndexOf(args, "--seconds");
if (secondsAt >= 0 && (secondsAt + 1 >= args.Length || !int.TryParse(args[secondsAt + 1], out callSeconds) || callSeconds < 1))
{
    Console.Error.WriteLine("--seconds needs a whole number ≥ 1");
    return 2;
}
var ringMs = 1000;
var ringAt = Array.IndexOf(args, "--ring-ms");
if (ringAt >= 0 && (ringAt + 1 >= args.Length || !int.TryParse(args[ringAt + 1], out ringMs) || ringMs < 0))
{
    Console.Error.WriteLine("--ring-ms needs a whole number ≥ 0");
    return 2;
}

// Ctrl-C, SIGTERM or a closed terminal: stop measuring and tear the lab down before exiting.
using var interrupted = new CancellationTokenSource();
void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal}: tearing the lab down…");
    interrupted.Cancel();
}
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Interrupt);

HandshakeBenchmark.Result? handshake = null;
if (which is "all" or "handshake")
{
    handshake = HandshakeBenchmark.Run(TimeSpan.FromSeconds(3));
    PrintHandshakeTable(handshake);
    Console.WriteLine();
}

if (which is "all" or "gossip")
{
    var rows = new List<GossipBenchmark.Row>();
    foreach (var nodes in new[] { 100, 1000 })
        foreach (var loss in new[] { 0.0, 0.10 })
            foreach (var push in new[] { true, false })
            {
                Console.Error.WriteLine($"gossip: {nodes} nodes, {loss:P0} loss, push {(push ? "on" : "off")}");
                rows.Add(GossipBenchmark.Measure(nodes, loss, push, idleSpan: TimeSpan.FromMinutes(nodes >= 1000 ? 1 : 3)));
            }
    GossipBenchmark.Print(Console.Out, rows, GossipBenchmark.BytesPerRecord());
    Console.WriteLine();
}

if (which is "all" or "call")
{
    if (!OperatingSystem.IsLinux())
    {
        Console.Error.WriteLine("the call benchmark needs Linux (/proc for CPU time)");
        return 2;
    }
    try
    {
        var bench = new CallBenchmark(Console.Error, interrupted.Token, TimeSpan.FromMilliseconds(ringMs));
        var callRows = new List<CallBenchmark.Row>
        {
            bench.Measure(640, 480, 1500, TimeSpan.FromSeconds(callSeconds)),
            bench.Measure(1280, 720, 2000, TimeSpan.FromSeconds(callSeconds)),
        };
        CallBenchmark.Print(Console.Out, callRows, TimeSpan.FromMilliseconds(ringMs));
        Console.WriteLine();
    }
    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
    {
        Console.Error.WriteLine("interrupted: no call figures printed");
        return 130;
    }
}

if (which is "all" or "seeds")
{
    if (!OperatingSystem.IsLinux())
    {
        Console.Error.WriteLine("the seeds benchmark needs Linux (/proc, all of 127/8 on loopback)");
        return 2;
    }
    try
    {
        var seeds = new SeedBenchmark(Console.Error, interrupted.Token);
        SeedReport.PrintOne(Console.Out, seeds.MeasureOne());
        Console.WriteLine();
        SeedReport.PrintCluster(Console.Out, seeds.MeasureCluster());
        Console.WriteLine();
        SeedReport.PrintRelay(Console.Out, new RelayBenchmark(Console.Error, interrupted.Token).Measure());
        Console.WriteLine();
    }
    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
    {
        Console.Error.WriteLine("interrupted: seeds and coturn stopped, no further figures printed");
        return 130;
    }
}

if (which is "all" or "lab")
{
    if (!OperatingSystem.IsLinux())
    {
        Console.Error.WriteLine("the NAT lab needs Linux (network namespaces, nftables) and root");
        return 2;
    }

    try
    {
        var results = new List<LabPairResult>();
        NoDirectPathResult noDirectPath;
        using (var lab = new LabBenchmark(interrupted.Token, Console.Error))
        {
            foreach (var pair in LabPair.Direct) results.Add(lab.MeasureDirect(pair, runs));
            noDirectPath = lab.MeasureNoDirectPath(Math.Min(runs, 3));
        }

        Console.WriteLine($"NAT lab, real pype seed + nodes, {runs} connects per pair ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores); times in ms");
        Console.WriteLine();
        LabReport.PrintPairs(Console.Out, results);
        Console.WriteLine();
        LabReport.PrintNoDirectPath(Console.Out, noDirectPath);
        Console.WriteLine();
        handshake ??= HandshakeBenchmark.Run(TimeSpan.FromSeconds(1));
        PrintHandshakeTable(handshake);
        Console.WriteLine();
        LabReport.PrintComparison(Console.Out, results);
    }
    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
    {
        Console.Error.WriteLine("interrupted: lab removed, no figures printed");
        return 130;
    }
}

return 0;

static void PrintHandshakeTable(HandshakeBenchmark.Result result)
{
    Console.WriteLine("Noise_IK_25519_ChaChaPoly_BLAKE2b handshakes (initiation + response + completion, one thread)");
    Console.WriteLine($"| handshakes | wall time | per second per core | µs each |");
    Console.WriteLine($"| ---: | ---: | ---: | ---: |");
    Console.WriteLine($"| {result.Handshakes} | {result.Elapsed.TotalSeconds:0.00} s | {result.PerSecondPerCore:0} | {result.MicrosecondsEach:0.0} |");
}
