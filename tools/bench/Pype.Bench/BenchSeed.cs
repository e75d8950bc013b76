using System.Net;
using System.Text.Json;
using Pype.Core.Seed;
using Pype.Lab;

namespace Pype.Bench;

/// <summary>
/// One real `pype seed` process on loopback (hocon/seed.conf + the test overlay), with the
/// endpoint and key clients pin, its `status` and its footprint from /proc. Disposing kills it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BenchSeed : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    private BenchSeed(PypeProcess process, SeedEndpoint endPoint)
    {
        Process = process;
        EndPoint = endPoint;
    }

    public PypeProcess Process { get; }

    public SeedEndpoint EndPoint { get; }

    public int ProcessId => Process.Id;

    public long ResidentBytes => ProcStats.ResidentBytes(Process.Id);

    public static BenchSeed Start(string dataDir, params string[] settings)
    {
        var arguments = new List<string>
        {
            "seed", "--config", RepositoryRoot.Hocon("seed.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", dataDir, "--events", "json",
        };
        foreach (var setting in settings) arguments.AddRange(["--set", setting]);
        var process = PypeProcess.Start(arguments);
        try
        {
            var key = Convert.FromHexString(process.WaitFor("whoami", StepTimeout).GetProperty("public_key").GetString()!);
            var listen = IPEndPoint.Parse(process.WaitFor("ready", StepTimeout).GetProperty("seed_listen").GetString()!);
            return new BenchSeed(process, new SeedEndpoint(listen, PeerKey.Parse(key)));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public JsonElement Status()
    {
        Process.DiscardPending();
        Process.Send("status");
        return Process.WaitFor("status", StepTimeout);
    }

    public void Dispose() => Process.Dispose();
}
