using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Pype.Lab;

/// <summary>
/// A user-space internet between the lab's two NATs (this kernel has no <c>tc netem</c>, no
/// NFQUEUE and no TPROXY). A TUN device is created here and moved into the lab's inet namespace;
/// policy routing there sends every packet that arrives from either NAT (except traffic for the
/// public segment, where the seed lives) into the TUN device. This class reads each packet,
/// holds it as its <see cref="LinkImpairment"/> says, and writes it back into the device, from
/// where the kernel forwards it on to the other NAT. Each direction has its own impairment.
/// </summary>
public sealed class LinkEmulator : IDisposable
{
    private const int RouteTable = 100;
    private const uint TunSetInterface = 0x400454ca;
    private const short TunMode = 0x0001;
    private const short NoPacketInfo = 0x1000;

    private readonly NatLab _lab;
    private readonly int _fd;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly LinkImpairment _aToB;
    private readonly LinkImpairment _bToA;
    private readonly PriorityQueue<byte[], TimeSpan> _due = new();
    private readonly object _gate = new();
    private readonly Thread _reader;
    private readonly Thread _writer;
    private volatile bool _stopping;

    private LinkEmulator(NatLab lab, int fd, string device, LinkProfile profile, int seed)
    {
        _lab = lab;
        _fd = fd;
        Device = device;
        _aToB = new LinkImpairment(new Random(seed)) { Profile = profile };
        _bToA = new LinkImpairment(new Random(seed + 1)) { Profile = profile };
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "link-emulator-in" };
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "link-emulator-out" };
        _reader.Start();
        _writer.Start();
    }

    public string Device { get; }

    /// <summary>Packets dropped at random and by the full bottleneck queue, and packets passed, both directions.</summary>
    public (long Lost, long QueueDrops, long Passed) Counters
    {
        get
        {
            lock (_gate)
            {
                return (_aToB.Dropped + _bToA.Dropped, _aToB.QueueDrops + _bToA.QueueDrops, _aToB.Passed + _bToA.Passed);
            }
        }
    }

    /// <summary>How long a packet entering the bottleneck now would wait, each direction (zero without a rate cap).</summary>
    public (TimeSpan AToB, TimeSpan BToA) QueueDelays
    {
        get
        {
            lock (_gate)
            {
                var now = _clock.Elapsed;
                return (_aToB.QueueDelay(now), _bToA.QueueDelay(now));
            }
        }
    }

    /// <summary>Puts the emulator between natA and natB of <paramref name="lab"/>.</summary>
    public static LinkEmulator Start(NatLab lab, LinkProfile profile, int seed = 1)
    {
        var device = lab.Prefix + "-emu";
        var fd = Native.open("/dev/net/tun", 2 /* O_RDWR */);
        if (fd < 0) throw new InvalidOperationException($"cannot open /dev/net/tun (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            var request = new byte[40];
            System.Text.Encoding.ASCII.GetBytes(device).CopyTo(request, 0);
            BitConverter.GetBytes((short)(TunMode | NoPacketInfo)).CopyTo(request, 16);
            if (Native.ioctl(fd, TunSetInterface, request) < 0)
                throw new InvalidOperationException($"TUNSETIFF {device} failed (errno {Marshal.GetLastPInvokeError()})");
            Run(HostCommand.FindTool("ip") ?? "ip", "link", "set", device, "netns", lab.Inet);
            foreach (var command in new[]
            {
                new[] { "ip", "link", "set", device, "up" },
                ["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"],
                ["sysctl", "-qw", $"net.ipv4.conf.{device}.rp_filter=0"],
                ["ip", "route", "add", "198.51.100.64/26", "dev", "pubnet", "table", $"{RouteTable}"],
                ["ip", "route", "add", "203.0.113.64/26", "dev", "pubnet", "table", $"{RouteTable}"],
                ["ip", "route", "add", "default", "dev", device, "table", $"{RouteTable}"],
                ["ip", "rule", "add", "iif", "to-a", "lookup", $"{RouteTable}", "priority", "100"],
                ["ip", "rule", "add", "iif", "to-b", "lookup", $"{RouteTable}", "priority", "101"],
            })
            {
                var result = lab.Exec(lab.Inet, command);
                if (result.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', command)} failed: {result.Output}");
            }
            return new LinkEmulator(lab, fd, device, profile, seed);
        }
        catch
        {
            Native.close(fd);
            throw;
        }
    }

    /// <summary>Changes what both directions do from now on (packets already held keep their times).</summary>
    public void SetProfile(LinkProfile profile)
    {
        lock (_gate)
        {
            _aToB.Profile = profile;
            _bToA.Profile = profile;
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[65536];
        var poll = new Native.PollFd { Fd = _fd, Events = 1 /* POLLIN */ };
        while (!_stopping)
        {
            if (Native.poll(ref poll, 1, 100) <= 0) continue;
            var length = (int)Native.read(_fd, buffer, buffer.Length);
            if (length <= 0) continue;
            var packet = buffer[..length];
            var now = _clock.Elapsed;
            lock (_gate)
            {
                var release = (FromSideA(packet) ? _aToB : _bToA).Schedule(now, length);
                if (release is not { } at) continue;
                _due.Enqueue(packet, at);
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void WriteLoop()
    {
        while (!_stopping)
        {
            byte[]? packet = null;
            lock (_gate)
            {
                if (_due.TryPeek(out _, out var at))
                {
                    var wait = at - _clock.Elapsed;
                    if (wait <= TimeSpan.Zero) packet = _due.Dequeue();
                    else Monitor.Wait(_gate, wait < TimeSpan.FromMilliseconds(50) ? wait : TimeSpan.FromMilliseconds(50));
                }
                else
                {
                    Monitor.Wait(_gate, 50);
                }
            }
            if (packet is not null) Native.write(_fd, packet, packet.Length);
        }
    }

    /// <summary>IPv4 packets from natA's WAN (198.51.100.0/26) or its LAN (10.1.0.0/24, NAT mode none).</summary>
    private static bool FromSideA(byte[] packet) =>
        packet.Length >= 20 && (packet[0] >> 4) == 4
        && ((packet[12] == 198 && packet[13] == 51 && packet[14] == 100 && packet[15] < 64)
            || (packet[12] == 10 && packet[13] == 1));

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        _reader.Join(TimeSpan.FromSeconds(1));
        _writer.Join(TimeSpan.FromSeconds(1));
        Native.close(_fd);
        // Removing the device also removes its routes; the rules go with the lab's namespace, but
        // a lab that lives on (another profile later) must not keep routing into nothing.
        try
        {
            _lab.Exec(_lab.Inet, "ip", "rule", "del", "priority", "100");
            _lab.Exec(_lab.Inet, "ip", "rule", "del", "priority", "101");
            _lab.Exec(_lab.Inet, "ip", "route", "flush", "table", $"{RouteTable}");
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static void Run(string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["PATH"] = HostCommand.WithSbin(Environment.GetEnvironmentVariable("PATH"));
        var result = HostCommand.Run(info, TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0) throw new InvalidOperationException($"{fileName} {string.Join(' ', args)} failed: {result.Output}");
    }

    private static class Native
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [DllImport("libc", SetLastError = true)]
        public static extern int open(string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int ioctl(int fd, uint request, byte[] argument);

        [DllImport("libc", SetLastError = true)]
        public static extern int poll(ref PollFd fds, uint count, int timeoutMs);

        [DllImport("libc", SetLastError = true)]
        public static extern nint read(int fd, byte[] buffer, nint count);

        [DllImport("libc", SetLastError = true)]
        public static extern nint write(int fd, byte[] buffer, nint count);

        [DllImport("libc")]
        public static extern int close(int fd);
    }
}
