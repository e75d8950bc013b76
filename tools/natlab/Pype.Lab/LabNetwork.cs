namespace Pype.Lab;

/// <summary>
/// A NAT lab with a real `pype seed` on the seed host and real `pype node` processes on the
/// lab's hosts, all driven over stdin with JSON events. Disposing stops every process and
/// removes the lab and the data folders.
/// </summary>
public sealed class LabNetwork : IDisposable
{
    public const int SeedPort = 3478;

    private readonly List<PypeProcess> processes = [];
    private readonly List<LinkEmulator> emulators = [];
    private readonly List<TempDirectory> folders = [];
    private readonly List<LabCoturn> coturns = [];
    private readonly Lock gate = new();
    private bool disposed;

    private LabNetwork(NatLab lab) => Lab = lab;

    public NatLab Lab { get; }

    public PypeProcess Seed { get; private set; } = null!;

    public string SeedKey { get; private set; } = "";

    public static LabNetwork Start(NatMode a, NatMode b, int lossPercent = 0) => Start(a, b, lossPercent, seedSettings: []);

    /// <param name="seedSettings">Extra `pype seed` arguments, e.g. "--set", "pype.seed.turn.servers=…".</param>
    public static LabNetwork Start(NatMode a, NatMode b, int lossPercent, IReadOnlyList<string> seedSettings)
    {
        var network = new LabNetwork(NatLab.Create(a, b, lossPercent));
        try
        {
            network.StartSeed(seedSettings);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a lab with coturn beside the seed (see <see cref="LabCoturn"/>) and a seed that hands
    /// its nodes that server with credentials signed by the same secret.
    /// </summary>
    public static LabNetwork StartWithRelay(NatMode a, NatMode b, string secret, out LabCoturn coturn)
    {
        var network = new LabNetwork(NatLab.Create(a, b));
        try
        {
            coturn = LabCoturn.StartIn(network.Lab, secret);
            lock (network.gate) network.coturns.Add(coturn);
            network.StartSeed(["--set", $"pype.seed.turn.servers={coturn.EndPoint}", "--set", $"pype.seed.turn.secret={secret}"]);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="StartWithRelay"/> with two coturns, one on each of the seed's addresses, granted
    /// in that order: nodes allocate on the first and move to the second when it fails.
    /// </summary>
    public static LabNetwork StartWithTwoRelays(NatMode a, NatMode b, string secret, out LabCoturn first, out LabCoturn second)
    {
        var network = new LabNetwork(NatLab.Create(a, b));
        try
        {
            first = LabCoturn.StartIn(network.Lab, secret, NatLab.SeedAddress);
            lock (network.gate) network.coturns.Add(first);
            second = LabCoturn.StartIn(network.Lab, secret, NatLab.SeedSecondAddress);
            lock (network.gate) network.coturns.Add(second);
            network.StartSeed(["--set", $"pype.seed.turn.servers={first.EndPoint},{second.EndPoint}", "--set", $"pype.seed.turn.secret={secret}"]);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private void StartSeed(IReadOnlyList<string> seedSettings)
    {
        var data = Folder();
        Seed = Track(PypeProcess.StartIn(Lab, Lab.Seed,
        [
            "seed", "--config", RepositoryRoot.Hocon("seed.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", data, "--events", "json", "--set", $"pype.seed.listen={NatLab.SeedAddress}:{SeedPort}",
            .. seedSettings,
        ]));
        SeedKey = Seed.WaitFor("whoami").GetProperty("public_key").GetString()!;
        Seed.WaitFor("ready");
    }

    /// <summary>Starts a node in a lab namespace, joined to the seed; returns once it registered.</summary>
    public LabNode StartNode(string namespaceName, int overlayDegree = 0, params string[] extra) =>
        StartNodeIn(Folder(), namespaceName, overlayDegree, extra);

    /// <summary>
    /// Creates a node's identity without starting it (<c>pype keygen</c>), so others can call an
    /// address that comes online later with <see cref="StartPreparedNode"/>. Returns its address.
    /// </summary>
    public (string DataDir, string Address) PrepareNode()
    {
        var data = Folder();
        var run = PypeProcess.Run(["keygen", "--config", RepositoryRoot.Hocon("test-overlay.conf"), "--data-dir", data]);
        var address = run.Output.Split('\n').FirstOrDefault(line => line.StartsWith("address:", StringComparison.Ordinal))?["address:".Length..].Trim();
        if (run.ExitCode != 0 || address is null) throw new InvalidOperationException($"pype keygen failed ({run.ExitCode}): {run.Output} {run.Error}");
        return (data, address);
    }

    public LabNode StartPreparedNode(string dataDir, string namespaceName, int overlayDegree = 0, params string[] extra) =>
        StartNodeIn(dataDir, namespaceName, overlayDegree, extra);

    /// <summary>Puts a user-space link emulator between the two NAT sides (not the seed); it goes with the network.</summary>
    public LinkEmulator EmulateLink(LinkProfile profile, int seed = 1)
    {
        var emulator = LinkEmulator.Start(Lab, profile, seed);
        lock (gate) emulators.Add(emulator);
        return emulator;
    }

    /// <summary>Kills a node with SIGKILL and starts it again on the same data directory.</summary>
    public LabNode RestartNode(LabNode node)
    {
        node.Process.KillHard();
        return StartNodeIn(node.DataDir, node.Namespace, node.OverlayDegree, node.Extra);
    }

    private LabNode StartNodeIn(string data, string namespaceName, int overlayDegree, string[] extra)
    {
        var process = Track(PypeProcess.StartIn(Lab, namespaceName,
        [
            "node", "--config", RepositoryRoot.Hocon("node.conf"), "--config", RepositoryRoot.Hocon("test-overlay.conf"),
            "--data-dir", data, "--events", "json",
            "--set", "pype.node.listen=0.0.0.0:0",
            "--set", $"pype.node.seeds={NatLab.SeedAddress}:{SeedPort}@{SeedKey}",
            "--set", $"pype.node.overlay-degree={overlayDegree}",
            .. extra,
        ]));
        var ready = process.WaitFor("ready");
        var registered = process.WaitFor("seed-registered", TimeSpan.FromSeconds(20));
        return new LabNode(process, ready.GetProperty("address").GetString()!, ready.GetProperty("hash").GetString()!,
            registered.GetProperty("server_reflexive").GetString(), data, namespaceName, overlayDegree, extra);
    }

    private PypeProcess Track(PypeProcess process)
    {
        lock (gate) processes.Add(process);
        return process;
    }

    private string Folder()
    {
        var folder = new TempDirectory();
        lock (gate) folders.Add(folder);
        return folder.Path;
    }

    /// <summary>Stops every process, removes the lab and the data folders. Once; safe from another thread (e.g. a Ctrl-C handler).</summary>
    public void Dispose()
    {
        List<PypeProcess> stopping;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            stopping = [.. processes];
        }
        foreach (var process in stopping) process.Dispose();
        List<LinkEmulator> emulating;
        lock (gate) emulating = [.. emulators];
        foreach (var emulator in emulating) emulator.Dispose();
        List<LabCoturn> relays;
        lock (gate) relays = [.. coturns];
        foreach (var coturn in relays) coturn.Dispose();
        Lab.Dispose(); // also kills anything started in the lab after the snapshot
        List<TempDirectory> removing;
        lock (gate) removing = [.. folders];
        foreach (var folder in removing) folder.Dispose();
    }
}
