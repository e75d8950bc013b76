using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace Pype.Lab;

/// <summary>
/// One NAT lab: network namespaces with real Linux NATs between two LANs, an "internet" router,
/// a seed with two public addresses and a public host (tools/natlab/natlab.sh builds it).
/// Every process started through the lab runs inside one of its namespaces, so lab traffic
/// never leaves the lab. Dispose kills those processes and removes every namespace.
/// </summary>
/// <remarks>
/// <code>
/// hostA  10.1.0.2 ─┐
///                   ├ natA (lan 10.1.0.1 | wan 198.51.100.2) ─┐
/// hostA2 10.1.0.3 ─┘                                          inet ─┬─ seed 198.51.100.66, 203.0.113.66
/// hostB  10.2.0.2 ── natB (lan 10.2.0.1 | wan 203.0.113.2) ──┘      └─ pub  198.51.100.70
/// </code>
/// </remarks>
public sealed class NatLab : IDisposable
{
    public static readonly IPAddress HostAAddress = IPAddress.Parse("10.1.0.2");
    public static readonly IPAddress HostA2Address = IPAddress.Parse("10.1.0.3");
    public static readonly IPAddress HostBAddress = IPAddress.Parse("10.2.0.2");
    public static readonly IPAddress NatAPublicAddress = IPAddress.Parse("198.51.100.2");
    public static readonly IPAddress NatBPublicAddress = IPAddress.Parse("203.0.113.2");

    /// <summary>The seed's first public address (same subnet side as natA).</summary>
    public static readonly IPAddress SeedAddress = IPAddress.Parse("198.51.100.66");

    /// <summary>The seed's second public address, for STUN-style NAT classification.</summary>
    public static readonly IPAddress SeedSecondAddress = IPAddress.Parse("203.0.113.66");

    /// <summary>The public host: no NAT in front of it.</summary>
    public static readonly IPAddress PublicAddress = IPAddress.Parse("198.51.100.70");

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<NatLab, byte> LiveLabs = new();
    private static readonly Lazy<string?> Unavailable = new(FindUnavailableReason);

    private readonly List<Process> _processes = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    static NatLab()
    {
        // Best effort when the host process shuts down normally without disposing a lab; a crash
        // is handled by the reaping in Create (owner pid recorded in the marker directory).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var lab in LiveLabs.Keys)
            {
                lab.Dispose();
            }
        };
    }

    private NatLab(string prefix, NatMode a, NatMode b)
    {
        Prefix = prefix;
        ModeA = a;
        ModeB = b;
    }

    /// <summary>True when this machine can run the lab (Linux, root, ip, nft, bash).</summary>
    public static bool IsAvailable => Unavailable.Value is null;

    /// <summary>Why the lab cannot run, or null when it can.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>The lab script, copied next to the binaries of every project that references Pype.Lab.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "NatLab", "natlab.sh");

    /// <summary>UdpProbe.dll (tools/natlab/UdpProbe), copied next to the binaries like the script.</summary>
    public static string UdpProbePath => Path.Combine(AppContext.BaseDirectory, "UdpProbe.dll");

    /// <summary>The dotnet host that runs this process (and so UdpProbe and Pype).</summary>
    public static string DotnetPath
    {
        get
        {
            var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
            {
                return hostPath;
            }

            var processPath = Environment.ProcessPath;
            return processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet"
                ? processPath
                : "dotnet";
        }
    }

    public string Prefix { get; }

    public string HostA => Prefix + "-hostA";

    /// <summary>A second host on natA's LAN: two nodes behind the same NAT.</summary>
    public string HostA2 => Prefix + "-hostA2";

    public string HostB => Prefix + "-hostB";

    public string NatA => Prefix + "-natA";

    public string NatB => Prefix + "-natB";

    public string Inet => Prefix + "-inet";

    public string Seed => Prefix + "-seed";

    public string Public => Prefix + "-pub";

    public IReadOnlyList<string> Namespaces => [HostA, HostA2, NatA, Inet, NatB, HostB, Seed, Public];

    public NatMode ModeA { get; private set; }

    public NatMode ModeB { get; private set; }

    public int LossPercent { get; private set; }

    /// <summary>
    /// Builds a lab with a fresh unique prefix. Reaps labs left behind by crashed runs first.
    /// Throws <see cref="NatLabUnavailableException"/> when the machine cannot run the lab.
    /// </summary>
    public static NatLab Create(NatMode a, NatMode b, int lossPercent = 0)
    {
        if (Unavailable.Value is { } reason)
        {
            throw new NatLabUnavailableException(reason);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(lossPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lossPercent, 100);
        RunScript("reap"); // best effort: a failure here must not stop this lab

        for (var attempt = 0; ; attempt++)
        {
            var prefix = "p" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 5);
            var up = RunScript("up", prefix);
            if (up.ExitCode == 3)
            {
                // prefix taken by another lab: never touch it (no down), pick another
                if (attempt < 5)
                {
                    continue;
                }

                throw new InvalidOperationException($"natlab.sh up: no free prefix after {attempt + 1} attempts: {up.Output}");
            }

            var lab = new NatLab(prefix, NatMode.Eim, NatMode.Eim);
            LiveLabs[lab] = 0;
            try
            {
                if (up.ExitCode != 0)
                {
                    throw new InvalidOperationException($"natlab.sh up {prefix} failed ({up.ExitCode}): {up.Output}");
                }

                lab.SetNat(NatSide.A, a);
                lab.SetNat(NatSide.B, b);
                lab.SetLoss(lossPercent);
                return lab;
            }
            catch
            {
                lab.Dispose();
                throw;
            }
        }
    }

    /// <summary>The lab's namespace on one side's LAN (hostA or hostB).</summary>
    public string HostOf(NatSide side) => side == NatSide.A ? HostA : HostB;

    /// <summary>
    /// Starts <paramref name="fileName"/> inside one of this lab's namespaces (via
    /// <c>ip netns exec</c>, which execs, so the process id is the program's own). Stdin, stdout
    /// and stderr are redirected: read stdout and stderr (e.g. BeginOutputReadLine) or the
    /// program blocks once a pipe buffer fills. Dispose kills it with its whole tree.
    /// </summary>
    public Process StartProcess(
        string namespaceName,
        string fileName,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null)
    {
        var info = NetnsExec(namespaceName, [fileName, .. args]);
        info.RedirectStandardInput = true;
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName} in {namespaceName}");
            _processes.Add(process);
            return process;
        }
    }

    /// <summary>Starts UdpProbe (listen / send / socket, see tools/natlab/UdpProbe) in a namespace.</summary>
    public UdpProbeProcess StartUdpProbe(string namespaceName, params string[] args) =>
        new(StartProcess(namespaceName, DotnetPath, [UdpProbePath, .. args]));

    /// <summary>Runs a command inside one of this lab's namespaces to completion (30 s limit).</summary>
    public ExecResult Exec(string namespaceName, params string[] command)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Length);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return HostCommand.Run(NetnsExec(namespaceName, command), ScriptTimeout);
    }

    /// <summary>Drops <paramref name="percent"/>% of all packets the internet router forwards.</summary>
    public void SetLoss(int percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        ObjectDisposedException.ThrowIf(_disposed, this);
        RunScriptOrThrow("loss", Prefix, percent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        LossPercent = percent;
    }

    /// <summary>
    /// Loads a NAT behaviour. Existing conntrack entries keep their old translation unless the
    /// conntrack tool is installed (then they are flushed): use fresh local ports after a change.
    /// </summary>
    public void SetNat(NatSide side, NatMode mode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var modeName = mode switch
        {
            NatMode.None => "none",
            NatMode.Eim => "eim",
            NatMode.Sym => "sym",
            NatMode.SymFull => "symfull",
            NatMode.FullCone => "fullcone",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
        RunScriptOrThrow("nat", Prefix, side == NatSide.A ? "a" : "b", modeName);
        if (side == NatSide.A)
        {
            ModeA = mode;
        }
        else
        {
            ModeB = mode;
        }
    }

    /// <summary>Kills every process started through the lab (whole tree), then removes the lab. Never throws.</summary>
    public void Dispose()
    {
        List<Process> processes;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = [.. _processes];
            _processes.Clear();
        }

        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(2000);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // already gone
            }
            finally
            {
                process.Dispose();
            }
        }

        try
        {
            var down = RunScript("down", Prefix);
            if (down.ExitCode != 0)
            {
                Console.Error.WriteLine($"natlab: down {Prefix} failed: {down.Output}");
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"natlab: down {Prefix} failed: {e.Message}");
        }

        LiveLabs.TryRemove(this, out _);
    }

    private ProcessStartInfo NetnsExec(string namespaceName, IReadOnlyList<string> command)
    {
        // The hard rule: programs run inside this lab's namespaces only.
        if (!Namespaces.Contains(namespaceName))
        {
            throw new ArgumentException($"'{namespaceName}' is not a namespace of lab {Prefix}", nameof(namespaceName));
        }

        var info = new ProcessStartInfo(HostCommand.FindTool("ip") ?? "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["netns", "exec", namespaceName, .. command])
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private void RunScriptOrThrow(params string[] args)
    {
        var result = RunScript(args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"natlab.sh {string.Join(' ', args)} failed ({result.ExitCode}): {result.Output}");
        }
    }

    private static ExecResult RunScript(params string[] args)
    {
        var info = new ProcessStartInfo(HostCommand.FindTool("bash") ?? "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ScriptPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NATLAB_OWNER_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PATH"] = HostCommand.WithSbin(Environment.GetEnvironmentVariable("PATH"));
        return HostCommand.Run(info, ScriptTimeout);
    }

    private static string? FindUnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (HostCommand.EffectiveUserId() != 0)
        {
            return "not running as root (network namespaces and nftables need CAP_NET_ADMIN/CAP_SYS_ADMIN)";
        }

        var missing = ((string[])["ip", "nft", "bash"]).Where(t => HostCommand.FindTool(t) is null).ToList();
        if (missing.Count > 0)
        {
            return "missing " + string.Join(", ", missing);
        }

        if (!File.Exists(ScriptPath))
        {
            return $"{ScriptPath} is missing (build a project that references Pype.Lab)";
        }

        return File.Exists(UdpProbePath) ? null : $"{UdpProbePath} is missing (build a project that references Pype.Lab)";
    }
}
