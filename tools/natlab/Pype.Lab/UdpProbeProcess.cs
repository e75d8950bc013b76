using System.Diagnostics;
using System.Net;

namespace Pype.Lab;

/// <summary>A datagram a UdpProbe received: its source as seen by the probe, and its text.</summary>
public readonly record struct ReceivedDatagram(IPEndPoint From, string Text)
{
    /// <summary>For a "seen IP:PORT" answer: the endpoint the answering side saw us at.</summary>
    public IPEndPoint? SeenEndpoint =>
        Text.StartsWith("seen ", StringComparison.Ordinal) && IPEndPoint.TryParse(Text[5..], out var seen) ? seen : null;
}

/// <summary>
/// A running UdpProbe (tools/natlab/UdpProbe) inside a lab namespace; collects its output lines.
/// The lab owns the process: disposing the lab kills it.
/// </summary>
public sealed class UdpProbeProcess
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];

    internal UdpProbeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(_lines, e.Data);
        process.ErrorDataReceived += (_, e) => Add(_errors, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process => _process;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IReadOnlyList<ReceivedDatagram> Received => [.. Lines.Select(Parse).OfType<ReceivedDatagram>()];

    /// <summary>Waits until the probe has bound its socket(s); throws with its stderr otherwise.</summary>
    public UdpProbeProcess WaitForReady()
    {
        if (WaitForLine(l => l.StartsWith("ready ", StringComparison.Ordinal), ReadyTimeout) is null)
        {
            throw new InvalidOperationException($"UdpProbe did not get ready: {Describe()}");
        }

        return this;
    }

    /// <summary>Interactive mode ("socket PORT"): sends one "probe" to <paramref name="destination"/>.</summary>
    public void SendTo(IPEndPoint destination, int? ttl = null)
    {
        _process.StandardInput.WriteLine(ttl is { } t ? $"to {destination} {t}" : $"to {destination}");
        _process.StandardInput.Flush();
    }

    /// <summary>The first received datagram that matches, waiting up to <paramref name="timeout"/>.</summary>
    public ReceivedDatagram? WaitForDatagram(Func<ReceivedDatagram, bool> match, TimeSpan timeout)
    {
        var line = WaitForLine(l => Parse(l) is { } d && match(d), timeout);
        return line is null ? null : Parse(line);
    }

    /// <summary>The endpoint <paramref name="server"/> saw this probe at (from its "seen" answer).</summary>
    public IPEndPoint? WaitForSeenBy(IPEndPoint server, TimeSpan timeout) =>
        WaitForDatagram(d => d.From.Equals(server) && d.SeenEndpoint is not null, timeout)?.SeenEndpoint;

    public string? WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (true)
            {
                var found = _lines.FirstOrDefault(match);
                var left = deadline - DateTime.UtcNow;
                if (found is not null || left <= TimeSpan.Zero)
                {
                    return found;
                }

                Monitor.Wait(_lines, left);
            }
        }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public string Describe()
    {
        string errors;
        lock (_errors)
        {
            errors = string.Join(" | ", _errors);
        }

        return $"stdout: [{string.Join(" | ", Lines)}] stderr: [{errors}]";
    }

    private static ReceivedDatagram? Parse(string line)
    {
        // "recv IP:PORT TEXT"
        var parts = line.Split(' ', 3);
        return parts.Length == 3 && parts[0] == "recv" && IPEndPoint.TryParse(parts[1], out var from)
            ? new ReceivedDatagram(from, parts[2])
            : null;
    }

    private static void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
            Monitor.PulseAll(lines);
        }
    }
}
