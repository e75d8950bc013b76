using System.Globalization;

namespace Pype.Bench;

/// <summary>What Linux's /proc says about a process: resident memory and CPU time used so far.</summary>
internal static class ProcStats
{
    /// <summary>VmRSS in bytes; 0 when the process is gone.</summary>
    public static long ResidentBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>User + system CPU seconds of the process (all its threads).</summary>
    public static double CpuSeconds(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            // The command name in parentheses may contain spaces; fields are counted after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0; // USER_HZ is 100 on Linux
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>CPU over an interval as a share of one core (100 % = one core busy all the time).</summary>
    public readonly record struct CpuMeter(int ProcessId, double StartSeconds, DateTime StartedAt)
    {
        public static CpuMeter Start(int processId) => new(processId, CpuSeconds(processId), DateTime.UtcNow);

        public double PercentOfOneCore() =>
            100 * (CpuSeconds(ProcessId) - StartSeconds) / Math.Max(1e-3, (DateTime.UtcNow - StartedAt).TotalSeconds);
    }
}
