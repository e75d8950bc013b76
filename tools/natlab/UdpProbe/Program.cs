// UdpProbe: one UDP socket, lines on stdout. Used by the NAT lab self-tests.
//
//   listen PORT                       bind PORT on every local IPv4 address, answer probes until
//                                     killed
//   send LOCALPORT DEST:PORT [DEST:PORT ...] [--count N] [--interval MS] [--linger MS] [--ttl N]
//                                     send N probes to every destination, then keep receiving
//                                     for MS milliseconds and exit
//   socket LOCALPORT                  interactive: each stdin line "to DEST:PORT [TTL]" sends one
//                                     probe; exits when stdin closes
//
// Output lines:  "ready IP:PORT [IP:PORT ...]"  once bound
//                "recv SRC_IP:SRC_PORT TEXT"  for every datagram received
//                "error DEST REASON"  when a send fails
// Every datagram whose text starts with "probe" is answered with "seen SRC_IP:SRC_PORT" (the
// source as this socket saw it, i.e. the sender's mapped endpoint). "seen" is never answered.
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace Pype.Tools.UdpProbe;

internal static class Program
{
    private const int DefaultTtl = 64;
    private static readonly object OutputLock = new();
    private static readonly object SendLock = new(); // the TTL is per socket: one send at a time

    private static int Main(string[] args)
    {
        try
        {
            return args.Length switch
            {
                >= 2 when args[0] == "listen" => Listen(ParsePort(args[1])),
                >= 3 when args[0] == "send" => Send(args),
                >= 2 when args[0] == "socket" => Interactive(ParsePort(args[1])),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentException or SocketException)
        {
            Console.Error.WriteLine($"udpprobe: {e.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: listen PORT | send LOCALPORT DEST:PORT... [--count N] [--interval MS] [--linger MS] [--ttl N] | socket LOCALPORT");
        return 2;
    }

    // One socket per local address, so every answer leaves from the address the probe was sent
    // to (a wildcard socket would answer from the primary address, like a badly configured STUN
    // server, and an address-dependent NAT would drop that answer).
    private static int Listen(int port)
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .ToList();
        var sockets = addresses.Select(a => Bind(new IPEndPoint(a, port))).ToList();
        Ready(sockets);
        var receivers = sockets.Select(s => new Thread(() => ReceiveLoop(s)) { IsBackground = true }).ToList();
        receivers.ForEach(r => r.Start());
        receivers.ForEach(r => r.Join());
        return 0;
    }

    private static int Send(string[] args)
    {
        var localPort = ParsePort(args[1]);
        var destinations = new List<IPEndPoint>();
        int count = 1, intervalMs = 100, lingerMs = 500, ttl = DefaultTtl;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--count": count = ParseInt(args[++i]); break;
                case "--interval": intervalMs = ParseInt(args[++i]); break;
                case "--linger": lingerMs = ParseInt(args[++i]); break;
                case "--ttl": ttl = ParseInt(args[++i]); break;
                default: destinations.Add(IPEndPoint.Parse(args[i])); break;
            }
        }

        using var socket = Bind(new IPEndPoint(IPAddress.Any, localPort));
        Ready([socket]);
        var receiver = new Thread(() => ReceiveLoop(socket)) { IsBackground = true };
        receiver.Start();
        for (var n = 0; n < count; n++)
        {
            if (n > 0)
            {
                Thread.Sleep(intervalMs);
            }

            foreach (var destination in destinations)
            {
                SendProbe(socket, destination, ttl);
            }
        }

        Thread.Sleep(lingerMs);
        return 0;
    }

    private static int Interactive(int port)
    {
        using var socket = Bind(new IPEndPoint(IPAddress.Any, port));
        Ready([socket]);
        var receiver = new Thread(() => ReceiveLoop(socket)) { IsBackground = true };
        receiver.Start();
        while (Console.In.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is 2 or 3 && words[0] == "to")
            {
                SendProbe(socket, IPEndPoint.Parse(words[1]), words.Length == 3 ? ParseInt(words[2]) : DefaultTtl);
            }
            else if (words.Length > 0)
            {
                Console.Error.WriteLine($"udpprobe: unknown command '{line}'");
            }
        }

        return 0;
    }

    private static Socket Bind(IPEndPoint local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(local);
        return socket;
    }

    private static void Ready(IEnumerable<Socket> sockets) =>
        WriteLine("ready " + string.Join(' ', sockets.Select(s => s.LocalEndPoint)));

    private static void SendProbe(Socket socket, IPEndPoint destination, int ttl)
    {
        lock (SendLock)
        {
            socket.Ttl = (short)ttl;
            try
            {
                socket.SendTo("probe"u8, destination);
            }
            catch (SocketException e)
            {
                WriteLine($"error {destination} {e.SocketErrorCode}");
            }
            finally
            {
                socket.Ttl = DefaultTtl;
            }
        }
    }

    private static void ReceiveLoop(Socket socket)
    {
        var buffer = new byte[1500];
        while (true)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP error reported on the socket; keep listening
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, length);
            WriteLine($"recv {from} {text}");
            if (text.StartsWith("probe", StringComparison.Ordinal))
            {
                lock (SendLock)
                {
                    try
                    {
                        socket.SendTo(Encoding.ASCII.GetBytes($"seen {from}"), from);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                        WriteLine($"error {from} {e.Message}");
                    }
                }
            }
        }
    }

    private static void WriteLine(string line)
    {
        lock (OutputLock)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private static int ParsePort(string text)
    {
        var port = ParseInt(text);
        return port is >= 0 and <= 65535 ? port : throw new FormatException($"bad port '{text}'");
    }

    private static int ParseInt(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
