using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pype.Lab;

namespace Pype.Bench;

/// <summary>
/// Debian's coturn (<c>turnserver</c>) on 127.0.0.1, UDP only, checking TURN REST credentials
/// against <see cref="Secret"/> and relaying to loopback peers (which coturn refuses unless told).
/// Dispose kills it and removes its folder.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LoopbackCoturn : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _folder;

    private LoopbackCoturn(Process process, TempDirectory folder, IPEndPoint endPoint, string secret)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
        Secret = secret;
    }

    public IPEndPoint EndPoint { get; }

    public string Secret { get; }

    public string Log => File.Exists(_folder.File("turn.log")) ? File.ReadAllText(_folder.File("turn.log")) : "(no log)";

    public static LoopbackCoturn Start(string secret)
    {
        var folder = new TempDirectory();
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))) port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        // A random block of relay ports, so a coturn left over by a killed run does not collide.
        var minRelay = 40_000 + Random.Shared.Next(200) * 100;
        var info = new ProcessStartInfo("turnserver")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint",
            "--listening-ip", "127.0.0.1", "--listening-port", port.ToString(), "--relay-ip", "127.0.0.1",
            "--min-port", minRelay.ToString(), "--max-port", (minRelay + 99).ToString(),
            "--use-auth-secret", "--static-auth-secret", secret, "--realm", "bench.pype",
            "--allow-loopback-peers", "--log-file", folder.File("turn.log"), "--simple-log", "--no-stdout-log",
            "--pidfile", folder.File("turnserver.pid"), "--userdb", folder.File("turndb")])
            info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start");
        }
        catch
        {
            folder.Dispose();
            throw;
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var coturn = new LoopbackCoturn(process, folder, new IPEndPoint(IPAddress.Loopback, port), secret);
        try
        {
            coturn.AwaitAnswer();
            return coturn;
        }
        catch
        {
            coturn.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        _folder.Dispose();
    }

    /// <summary>Ready once it answers a bare STUN Binding request (20-byte header, magic cookie, zero id).</summary>
    private void AwaitAnswer()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] binding = [0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42, .. new byte[12]];
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < giveUpAt)
        {
            if (_process.HasExited) throw new InvalidOperationException($"turnserver exited with {_process.ExitCode}:\n{Log}");
            probe.Send(binding, EndPoint);
            if (probe.Client.Poll(100_000, SelectMode.SelectRead)) return;
        }
        throw new TimeoutException($"turnserver did not answer STUN within 10 s:\n{Log}");
    }
}
