using System.Diagnostics;

namespace Pype.Lab;

/// <summary>
/// Runs host programs (ip, nft, bash) to completion and finds them on PATH plus the sbin folders,
/// which a root shell may lack. Used by <see cref="NatLab"/>; nothing here touches a namespace.
/// </summary>
internal static class HostCommand
{
    public static ExecResult Run(ProcessStartInfo info, TimeSpan timeout)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ExecResult(-1, $"timed out after {timeout.TotalSeconds} s: {stdout.Result}{stderr.Result}");
        }

        process.WaitForExit(); // drains the redirected streams
        return new ExecResult(process.ExitCode, stdout.Result + stderr.Result);
    }

    public static string WithSbin(string? path)
    {
        var parts = (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var sbin in (string[])["/usr/local/sbin", "/usr/sbin", "/sbin"])
        {
            if (!parts.Contains(sbin))
            {
                parts.Add(sbin);
            }
        }

        return string.Join(':', parts);
    }

    public static string? FindTool(string name) =>
        WithSbin(Environment.GetEnvironmentVariable("PATH"))
            .Split(':')
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public static int EffectiveUserId()
    {
        // "Uid:\treal\teffective\tsaved\tfs"
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = line?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 3 } && int.TryParse(fields[2], out var euid) ? euid : -1;
    }
}
