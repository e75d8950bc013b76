using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Pype.Lab;

/// <summary>
/// A real `pype` process driven over stdin, its stdout read as JSON events. Disposing kills it
/// if it is still running, so no test leaves a process behind.
/// </summary>
public sealed class PypeProcess : IDisposable
{
    private readonly Process process;
    private readonly BlockingCollection<string> lines = new();
    private readonly ConcurrentQueue<string> stderr = new();
    private readonly List<JsonElement> seen = [];

    private PypeProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is null) lines.CompleteAdding(); else lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string PypeDll => Path.Combine(AppContext.BaseDirectory, "pype.dll");

    public int Id => process.Id;

    public string StandardError => string.Join('\n', stderr);

    /// <summary>Every event read so far (waited for or skipped), in order; <see cref="DiscardPending"/> reads the rest first.</summary>
    public IReadOnlyList<JsonElement> Seen => seen;

    public static PypeProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        info.ArgumentList.Add(PypeDll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment.Remove("PYPE_PASSPHRASE");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return new PypeProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start pype"));
    }

    /// <summary>Starts pype inside a namespace of a NAT lab; the lab kills it when disposed too.</summary>
    public static PypeProcess StartIn(NatLab lab, string namespaceName, IEnumerable<string> arguments) =>
        new(lab.StartProcess(namespaceName, NatLab.DotnetPath, [PypeDll, .. arguments]));

    /// <summary>Runs pype to completion with the given stdin and returns exit code, stdout, stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(IEnumerable<string> arguments, string stdin = "", IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 60)
    {
        using var p = Start(arguments, environment);
        p.process.StandardInput.Write(stdin);
        p.process.StandardInput.Close();
        if (!p.process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            throw new TimeoutException($"pype did not exit within {timeoutSeconds} s; stderr:\n{p.StandardError}");
        p.process.WaitForExit();
        var output = string.Join('\n', p.lines.GetConsumingEnumerable());
        return (p.process.ExitCode, output, p.StandardError);
    }

    public void Send(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    public void CloseInput() => process.StandardInput.Close();

    /// <summary>Waits for the next event of this kind (skipping others) and returns it.</summary>
    public JsonElement WaitFor(string eventName, TimeSpan? timeout = null, Func<JsonElement, bool>? where = null) =>
        WaitForAny([eventName], timeout, where);

    /// <summary>Waits for the next event of any of these kinds (skipping others) and returns it.</summary>
    public JsonElement WaitForAny(IReadOnlyCollection<string> eventNames, TimeSpan? timeout = null, Func<JsonElement, bool>? where = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !lines.TryTake(out var line, left))
                throw new TimeoutException($"no {string.Join(" or ", eventNames.Select(n => $"'{n}'"))} event; seen: {string.Join(", ", seen.Select(e => e.GetProperty("event").GetString()))}; stderr:\n{StandardError}");
            var element = Parse(line);
            if (element.GetProperty("event").GetString() is { } name && eventNames.Contains(name) && (where?.Invoke(element) ?? true)) return element;
        }
    }

    /// <summary>Skips every event already printed and not yet waited for; returns how many.</summary>
    public int DiscardPending()
    {
        var count = 0;
        while (lines.TryTake(out var line))
        {
            Parse(line);
            count++;
        }
        return count;
    }

    public void KillHard()
    {
        process.Kill(entireProcessTree: true); // SIGKILL on Unix: no shutdown hooks run.
        process.WaitForExit();
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString()]);
        kill.WaitForExit();
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) throw new TimeoutException($"pype did not exit; stderr:\n{StandardError}");
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        try { if (!process.HasExited) KillHard(); } catch (InvalidOperationException) { }
        process.Dispose();
    }

    private JsonElement Parse(string line)
    {
        JsonElement element;
        try { element = JsonDocument.Parse(line).RootElement.Clone(); }
        catch (JsonException) { throw new InvalidOperationException($"stdout line is not JSON: {line}"); }
        seen.Add(element);
        return element;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
