using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pype.Core.Turn;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests;

/// <summary>What the node's TURN actor will do: send what the client queues, feed it what arrives and its deadlines.</summary>
internal sealed class ClientLoop(TurnClient client, UdpClient socket, Coturn coturn)
{
    private readonly Queue<TurnClientEvent> _events = new();

    public TurnClient Client => client;

    public List<byte[]> Flush()
    {
        var sent = new List<byte[]>();
        while (client.PollTransmit() is { } transmit)
        {
            socket.Send(transmit.Datagram.Span, transmit.Destination);
            sent.Add(transmit.Datagram.ToArray());
        }
        while (client.PollEvent() is { } turnEvent)
            _events.Enqueue(turnEvent);
        return sent;
    }

    /// <summary>Runs the loop until an event of type T; earlier events of other types are skipped.</summary>
    public T WaitFor<T>() where T : TurnClientEvent
    {
        var giveUpAt = DateTimeOffset.UtcNow + Coturn.StepTimeout;
        while (true)
        {
            Flush();
            while (_events.TryDequeue(out var turnEvent))
            {
                if (turnEvent is T wanted)
                    return wanted;
            }
            var now = DateTimeOffset.UtcNow;
            Assert.True(now < giveUpAt, $"no {typeof(T).Name} within {Coturn.StepTimeout}; drops: {client.Drops.Total}; coturn said:\n{coturn.Log}");

            var wait = client.NextDeadline is { } deadline ? deadline - now : TimeSpan.FromMilliseconds(50);
            wait = TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 1, 50));
            if (socket.Client.Poll((int)(wait.TotalMilliseconds * 1000), SelectMode.SelectRead))
            {
                IPEndPoint? from = null;
                var datagram = socket.Receive(ref from);
                client.HandleDatagram(DateTimeOffset.UtcNow, from, datagram);
            }
            client.HandleTimeout(DateTimeOffset.UtcNow);
        }
    }
}

/// <summary>One coturn on loopback with TURN REST credentials; killed with its process tree on Dispose.</summary>
internal sealed class Coturn : IDisposable
{
    public const string Secret = "S";
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    private Process _process;
    private readonly TempDirectory _directory;
    private readonly Func<int, int, IEnumerable<string>> _arguments;
    private readonly StringBuilder _log = new();

    private Coturn(Process process, TempDirectory directory, IPEndPoint endPoint, int minRelayPort, Func<int, int, IEnumerable<string>> arguments)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
        MinRelayPort = minRelayPort;
        _arguments = arguments;
    }

    public IPEndPoint EndPoint { get; }
    public int MinRelayPort { get; }
    public int MaxRelayPort => MinRelayPort + 99;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>A coturn for tests: REST credentials checked with <see cref="Secret"/>, loopback peers allowed.</summary>
    public static Coturn Start() => Start((port, minRelayPort) =>
    [
        "-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint",
        "--listening-ip", "127.0.0.1", "--listening-port", port.ToString(),
        "--relay-ip", "127.0.0.1", "--min-port", minRelayPort.ToString(), "--max-port", (minRelayPort + 99).ToString(),
        "--use-auth-secret", "--static-auth-secret", Secret, "--realm", "pype.test",
        "--allow-loopback-peers", "--log-file", "stdout", "--simple-log",
    ]);

    /// <summary>A coturn with these arguments (given its listening port and first relay port); pid file and user db go to its own folder.</summary>
    public static Coturn Start(Func<int, int, IEnumerable<string>> arguments)
    {
        var port = FreeUdpPort();
        var minRelayPort = 40_000 + Random.Shared.Next(0, 200) * 100;
        var directory = new TempDirectory();
        var process = Launch(directory, arguments(port, minRelayPort));
        var coturn = new Coturn(process, directory, new IPEndPoint(IPAddress.Loopback, port), minRelayPort, arguments);
        coturn.Follow(process);
        try
        {
            coturn.WaitUntilAnswering();
        }
        catch
        {
            coturn.Dispose();
            throw;
        }
        return coturn;
    }

    /// <summary>SIGKILL, then a fresh process on the same port: every allocation is gone, as after a crash.</summary>
    public void Restart()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        _process = Launch(_directory, _arguments(EndPoint.Port, MinRelayPort));
        Follow(_process);
        WaitUntilAnswering();
    }

    private void Follow(Process process)
    {
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static Process Launch(TempDirectory directory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("turnserver", [.. arguments, "--pidfile", directory.File("turnserver.pid"), "--userdb", directory.File("turndb")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start");
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
        finally
        {
            _process.Dispose();
            _directory.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>coturn answers STUN Binding once its listener is up; that is the readiness check.</summary>
    private void WaitUntilAnswering()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new byte[20];
        request[1] = 0x01;
        new byte[] { 0x21, 0x12, 0xA4, 0x42 }.CopyTo(request, 4);
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < giveUpAt)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"turnserver exited with {_process.ExitCode}:\n{Log}");
            probe.Send(request, EndPoint);
            if (probe.Client.Poll(100_000, SelectMode.SelectRead))
                return;
        }
        throw new TimeoutException($"turnserver did not answer STUN within 10 s:\n{Log}");
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
