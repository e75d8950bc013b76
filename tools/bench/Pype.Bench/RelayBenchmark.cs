using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pype.Core;
using Pype.Core.Turn;

namespace Pype.Bench;

/// <summary>
/// What relaying through coturn costs on this machine: round trips of small packets between two
/// loopback sockets, directly and through a TURN allocation held by Pype's sans-IO
/// <see cref="TurnClient"/> (channel-bound, as a node relays), and how many 1200-byte packets a
/// second get through the relay. Both sides are on loopback, so the difference is coturn's own
/// processing and the extra hop, not any network.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RelayBenchmark(TextWriter log, CancellationToken cancel)
{
    private const int Pings = 1000;
    private const int PingBytes = 200;
    private const int BulkBytes = 1200;
    private static readonly TimeSpan BulkSpan = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    public sealed record Bulk(string Pace, long Sent, long Received, double Seconds)
    {
        public double SentPerSecond => Sent / Seconds;
        public double ReceivedPerSecond => Received / Seconds;
        public double Mbps => Received * BulkBytes * 8 / Seconds / 1e6;
        public double LossPercent => Sent == 0 ? 0 : 100.0 * (Sent - Received) / Sent;
    }

    public sealed record Result(double[] Direct, double[] Relayed, IReadOnlyList<Bulk> Bulks, long ClientDrops);

    public Result Measure()
    {
        log.WriteLine("seeds: coturn on loopback, relay round trips and throughput");
        using var coturn = LoopbackCoturn.Start("bench-" + Guid.NewGuid().ToString("N")[..8]);
        using var client = Bound();
        using var direct = Bound();
        using var peer = Bound();
        peer.ReceiveBufferSize = 4 << 20;
        var peerEndPoint = (IPEndPoint)peer.LocalEndPoint!;
        using var echo = new PeerSide(peer);

        var turn = new TurnClient(coturn.EndPoint, TurnRestCredentials.Create(coturn.Secret, DateTimeOffset.UtcNow.AddHours(1), "pype-bench"), SystemRandomSource.Instance);
        turn.Start(DateTimeOffset.UtcNow);
        Await<TurnClientEvent.Allocated>(turn, client, coturn);
        turn.Permit(DateTimeOffset.UtcNow, peerEndPoint.Address);
        Await<TurnClientEvent.PermissionCreated>(turn, client, coturn);
        // The first Send goes as a Send indication and binds a channel: what follows is ChannelData.
        turn.Send(DateTimeOffset.UtcNow, peerEndPoint, new byte[PingBytes]);
        Await<TurnClientEvent.ChannelBound>(turn, client, coturn);
        Thread.Sleep(100);
        Drain(turn, client);

        var payload = new byte[PingBytes];
        var directTimes = RoundTrips(() => direct.SendTo(payload, peerEndPoint), () => ReceiveOne(direct));
        var relayedTimes = RoundTrips(() =>
        {
            turn.Send(DateTimeOffset.UtcNow, peerEndPoint, payload);
            Flush(turn, client);
        }, () => ReceiveThroughTurn(turn, client));

        echo.Echoing = false;
        var bulks = new List<Bulk> { Blast(turn, client, peerEndPoint, echo, perSecond: 5_000), Blast(turn, client, peerEndPoint, echo, perSecond: null) };
        turn.Stop(DateTimeOffset.UtcNow);
        Flush(turn, client);
        return new Result(directTimes, relayedTimes, bulks, turn.Drops.Total);
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>One packet out, its echo back, one at a time; 50 warm-up rounds are not kept.</summary>
    private double[] RoundTrips(Action send, Func<bool> receive)
    {
        var times = new List<double>();
        for (var i = -50; i < Pings; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            send();
            if (!receive()) continue; // lost: not a time
            if (i >= 0) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return [.. times];
    }

    private static bool ReceiveOne(Socket socket)
    {
        if (!socket.Poll(1_000_000, SelectMode.SelectRead)) return false;
        var buffer = new byte[2048];
        socket.Receive(buffer);
        return true;
    }

    private static bool ReceiveThroughTurn(TurnClient turn, Socket socket)
    {
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (DateTime.UtcNow < giveUpAt)
        {
            if (!socket.Poll(100_000, SelectMode.SelectRead)) continue;
            var length = socket.ReceiveFrom(buffer, ref from);
            turn.HandleDatagram(DateTimeOffset.UtcNow, (IPEndPoint)from, buffer.AsSpan(0, length));
            Flush(turn, socket);
            var gotData = false;
            while (turn.PollEvent() is { } e) gotData |= e is TurnClientEvent.DataReceived;
            if (gotData) return true;
        }
        return false;
    }

    /// <summary>1200-byte packets through the relay to a counting peer, at a fixed rate or as fast as this loop sends.</summary>
    private Bulk Blast(TurnClient turn, Socket client, IPEndPoint peer, PeerSide sink, int? perSecond)
    {
        var payload = new byte[BulkBytes];
        var receivedBefore = sink.Received;
        long sent = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < BulkSpan)
        {
            cancel.ThrowIfCancellationRequested();
            var due = perSecond is { } rate ? (long)(clock.Elapsed.TotalSeconds * rate) : sent + 32;
            if (sent >= due)
            {
                Thread.Sleep(1);
                continue;
            }
            for (; sent < due; sent++)
            {
                turn.Send(DateTimeOffset.UtcNow, peer, payload);
                Flush(turn, client);
            }
            turn.HandleTimeout(DateTimeOffset.UtcNow);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Thread.Sleep(300); // the last packets still in coturn's and the peer's queues
        return new Bulk(perSecond is { } r ? $"paced at {r}/s" : "unpaced", sent, sink.Received - receivedBefore, seconds);
    }

    private T Await<T>(TurnClient turn, Socket socket, LoopbackCoturn coturn) where T : TurnClientEvent
    {
        var giveUpAt = DateTime.UtcNow + StepTimeout;
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            Flush(turn, socket);
            while (turn.PollEvent() is { } e)
            {
                if (e is T wanted) return wanted;
                if (e is TurnClientEvent.AllocationFailed failed) throw new InvalidOperationException($"TURN allocation failed: {failed.Failure}\n{coturn.Log}");
            }
            if (DateTime.UtcNow > giveUpAt) throw new TimeoutException($"no {typeof(T).Name} from coturn within {StepTimeout.TotalSeconds:0} s:\n{coturn.Log}");
            if (socket.Poll(20_000, SelectMode.SelectRead))
            {
                var length = socket.ReceiveFrom(buffer, ref from);
                turn.HandleDatagram(DateTimeOffset.UtcNow, (IPEndPoint)from, buffer.AsSpan(0, length));
            }
            turn.HandleTimeout(DateTimeOffset.UtcNow);
        }
    }

    private static void Flush(TurnClient turn, Socket socket)
    {
        while (turn.PollTransmit() is { } transmit) socket.SendTo(transmit.Datagram.Span, transmit.Destination);
    }

    private static void Drain(TurnClient turn, Socket socket)
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (socket.Poll(0, SelectMode.SelectRead))
        {
            var length = socket.ReceiveFrom(buffer, ref from);
            turn.HandleDatagram(DateTimeOffset.UtcNow, (IPEndPoint)from, buffer.AsSpan(0, length));
        }
        Flush(turn, socket);
        while (turn.PollEvent() is not null) { }
    }

    /// <summary>The far end: echoes every datagram to where it came from, or (Echoing off) only counts them.</summary>
    private sealed class PeerSide : IDisposable
    {
        private readonly Socket _socket;
        private readonly Thread _thread;
        private volatile bool _stop;
        private volatile bool _echoing = true;
        private long _received;

        public PeerSide(Socket socket)
        {
            _socket = socket;
            _thread = new Thread(Run) { IsBackground = true, Name = "relay-bench-peer" };
            _thread.Start();
        }

        public bool Echoing
        {
            get => _echoing;
            set => _echoing = value;
        }

        public long Received => Interlocked.Read(ref _received);

        public void Dispose()
        {
            _stop = true;
            _thread.Join(TimeSpan.FromSeconds(2));
        }

        private void Run()
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (!_stop)
            {
                if (!_socket.Poll(100_000, SelectMode.SelectRead)) continue;
                var length = _socket.ReceiveFrom(buffer, ref from);
                Interlocked.Increment(ref _received);
                if (_echoing) _socket.SendTo(buffer.AsSpan(0, length), from);
            }
        }
    }
}
