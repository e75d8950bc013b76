using System.Diagnostics;

namespace Pype.Lab;

/// <summary>
/// A real coturn (Debian's <c>turnserver</c>) in the lab's seed namespace, on one of the seed's
/// addresses (the first unless told) at <see cref="Port"/>, taking TURN REST credentials signed with <see cref="Secret"/>
/// (what a seed configured with the same secret hands out). The lab kills it on dispose;
/// <see cref="Kill"/> and <see cref="Start"/> let a test take it away and bring it back.
/// </summary>
public sealed class LabCoturn : IDisposable
{
    public const int Port = 3479;
    public const int MinRelayPort = 49152;
    public const int MaxRelayPort = 49252;
    public const string Realm = "lab.example";

    private readonly NatLab _lab;
    private readonly TempDirectory _directory = new();
    private Process? _process;

    private LabCoturn(NatLab lab, string secret, System.Net.IPAddress address)
    {
        _lab = lab;
        Secret = secret;
        Address = address;
    }

    /// <summary>Where it listens and relays from.</summary>
    public System.Net.IPAddress Address { get; }

    public string Secret { get; private set; }

    public string EndPoint => $"{Address}:{Port}";

    /// <summary>coturn's own log: allocations, permissions and refusals, for a failing test's message.</summary>
    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    private string LogFile => _directory.File("turn.log");

    /// <param name="address">One of the seed's addresses; <see cref="NatLab.SeedAddress"/> when null.</param>
    public static LabCoturn StartIn(NatLab lab, string secret, System.Net.IPAddress? address = null)
    {
        var coturn = new LabCoturn(lab, secret, address ?? NatLab.SeedAddress);
        try
        {
            coturn.Start();
            return coturn;
        }
        catch
        {
            coturn.Dispose();
            throw;
        }
    }

    /// <summary>Starts coturn again with another shared secret (an operator's change the seed may not know of).</summary>
    public void Start(string secret)
    {
        Secret = secret;
        Start();
    }

    /// <summary>Starts coturn (again) and returns once it answers a STUN Binding request from the public host.</summary>
    public void Start()
    {
        var address = Address.ToString();
        _process = _lab.StartProcess(_lab.Seed, "turnserver",
        [
            "-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint",
            "--listening-ip", address, "--listening-port", Port.ToString(), "--relay-ip", address,
            "--min-port", MinRelayPort.ToString(), "--max-port", MaxRelayPort.ToString(),
            "--use-auth-secret", "--static-auth-secret", Secret, "--realm", Realm,
            "--log-file", LogFile, "--simple-log", "--no-stdout-log",
            "--pidfile", _directory.File("turnserver.pid"), "--userdb", _directory.File("turndb"),
        ]);
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < giveUpAt)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"turnserver exited with {_process.ExitCode}:\n{Log}");
            // turnutils_stunclient waits long for an answer that a listener not yet open never sends.
            if (_lab.Exec(_lab.Public, "timeout", "1", "turnutils_stunclient", "-p", Port.ToString(), address).ExitCode == 0)
                return;
            Thread.Sleep(100);
        }
        throw new TimeoutException($"turnserver did not answer STUN within 10 s:\n{Log}");
    }

    /// <summary>SIGKILL: every allocation vanishes with the process, as in a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        _directory.Dispose();
    }
}
