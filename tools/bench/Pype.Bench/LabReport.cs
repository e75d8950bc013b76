using System.Globalization;
using System.Runtime.Versioning;

namespace Pype.Bench;

/// <summary>Prints lab benchmark results as markdown; figures in milliseconds unless marked.</summary>
[SupportedOSPlatform("linux")]
public static class LabReport
{
    /// <summary>The reference the project brief sets: Tox friends behind NATs, and Pype's target.</summary>
    private const double ToxTypicalMs = 10_000;
    private const double ToxWorstMs = 41_000;
    private const double TargetMs = 500;

    public static void PrintPairs(TextWriter o, IReadOnlyList<LabPairResult> results)
    {
        o.WriteLine("| pair | runs | setup p50 | setup p95 | max | connect-command→connected p50 / p95 | failures | path at A |");
        o.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in results)
        {
            var paths = string.Join(", ", r.PathsAtA.OrderByDescending(p => p.Value).Select(p => $"{p.Key} ×{p.Value}"));
            o.WriteLine($"| {r.Pair.Name} | {r.Runs} | {Ms(Percentile(r.SetupMs, 50))} | {Ms(Percentile(r.SetupMs, 95))} | {Ms(Max(r.SetupMs))} " +
                $"| {Ms(Percentile(r.ConnectCommandToConnectedMs, 50))} / {Ms(Percentile(r.ConnectCommandToConnectedMs, 95))} | {r.Failures.Count} | {paths} |");
        }

        foreach (var r in results.Where(r => r.Failures.Count > 0))
        {
            o.WriteLine();
            o.WriteLine($"Failures, {r.Pair.Name}:");
            foreach (var failure in r.Failures) o.WriteLine($"- {failure}");
        }
    }

    public static void PrintNoDirectPath(TextWriter o, NoDirectPathResult r)
    {
        o.WriteLine("| pair | runs | connect-command→no-direct-path p50 / max | node's elapsed_ms p50 | failures |");
        o.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        o.WriteLine($"| {LabPair.SymToSym.Name} | {r.Runs} | {Ms(Percentile(r.WallMs, 50))} / {Ms(Max(r.WallMs))} | {Ms(Percentile(r.ElapsedMs, 50))} | {r.Failures.Count} |");
        foreach (var failure in r.Failures) o.WriteLine($"- {failure}");
    }

    public static void PrintComparison(TextWriter o, IReadOnlyList<LabPairResult> results)
    {
        o.WriteLine("Reference (project brief): two Tox friends behind NATs need 10 s to connect (41 s in the worst runs); target < 0.5 s.");
        var eim = results.FirstOrDefault(r => r.Pair == LabPair.Direct[0]);
        if (eim is null || eim.ConnectCommandToConnectedMs.Count == 0)
        {
            o.WriteLine("Pype: no successful eim ↔ eim run to compare.");
            return;
        }

        var connectP50 = Percentile(eim.ConnectCommandToConnectedMs, 50)!.Value;
        var setupP50 = Percentile(eim.SetupMs, 50)!.Value;
        var worst = results.SelectMany(r => r.ConnectCommandToConnectedMs).Max();
        o.WriteLine(
            $"Pype eim ↔ eim: connect-command→connected p50 {Ms(connectP50)} ms, 10 s / p50 = {Ratio(ToxTypicalMs / connectP50)}; " +
            $"setup p50 {Ms(setupP50)} ms, 10 s / p50 = {Ratio(ToxTypicalMs / setupP50)}; " +
            $"worst connect-command→connected of all direct pairs {Ms(worst)} ms (Tox worst 41 s: {Ratio(ToxWorstMs / worst)}); " +
            $"p50 is {(connectP50 < TargetMs ? "under" : "over")} the 0.5 s target.");
    }

    /// <summary>Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.</summary>
    public static double? Percentile(IReadOnlyList<double> samples, int p)
    {
        if (samples.Count == 0) return null;
        var sorted = samples.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    private static double? Max(IReadOnlyList<double> samples) => samples.Count == 0 ? null : samples.Max();

    private static string Ms(double? ms) => ms switch
    {
        null => "–",
        < 10 => ms.Value.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => ms.Value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => ms.Value.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string Ratio(double ratio) => ratio.ToString("0", CultureInfo.InvariantCulture) + "×";
}
