using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pype.Core;
using Pype.Core.Identity;
using Pype.Core.Seed;
using Pype.Core.Wire;

namespace Pype.Bench;

/// <summary>
/// Thousands of simulated nodes, each a real sans-IO <see cref="SeedClient"/> with its own
/// identity, sharing a few hundred UDP sockets on distinct loopback addresses (127.1.x.y). The seed
/// limits handshakes per source address, so spreading the clients over many addresses keeps that
/// limiter out of the measurement. One driver thread owns every client (they are not
/// thread-safe); receive loops only hand datagrams over. Time comes from the real clock.
/// </summary>
internal sealed partial class SeedClientSwarm : IDisposable
{
    /// <summary>About 20 clients per address: below the seed's burst of 20 handshakes per address.</summary>
    public const int ClientsPerAddress = 20;

    private readonly IReadOnlyList<SeedEndpoint> _seeds;
    private readonly List<Socket> _sockets = [];
    private readonly List<Member> _members = [];
    private readonly ConcurrentQueue<Inbound> _inbound = new();
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly PriorityQueue<int, DateTimeOffset> _timers = new();
    // Where a reply belongs is learned from what each client sends: its handshake sender indices
    // and STUN transaction ids. A lookup instead of asking every client keeps the driver cheap.
    private readonly Dictionary<uint, int> _byIndex = [];
    private readonly Dictionary<(ulong, uint), int> _byStunTransaction = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _driver;
    private int _sleeping;

    /// <param name="seeds">The seeds; client i registers at seeds[i % seeds.Count] only, so it never fails over to another.</param>
    public SeedClientSwarm(IReadOnlyList<SeedEndpoint> seeds, int clients)
    {
        _seeds = seeds;
        var addresses = (clients + ClientsPerAddress - 1) / ClientsPerAddress;
        for (var a = 0; a < addresses; a++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.ReceiveBufferSize = 1 << 20;
            socket.Bind(new IPEndPoint(new IPAddress([127, 1, (byte)(a / 250), (byte)(a % 250 + 1)]), 0));
            _sockets.Add(socket);
        }
        for (var i = 0; i < clients; i++)
        {
            var identity = IdentityKeyPair.Generate();
            _members.Add(new Member(identity, PeerKey.Of(identity), i % addresses, i % seeds.Count));
        }
        for (var s = 0; s < _sockets.Count; s++)
        {
            var socket = s;
            _ = Task.Run(() => ReceiveLoop(socket));
        }
        _driver = new Thread(Drive) { IsBackground = true, Name = "seed-client-swarm" };
        _driver.Start();
    }

    public int Size => _members.Count;

    public int Addresses => _sockets.Count;

    public void Dispose()
    {
        _stop.Cancel();
        _wake.Set();
        _driver.Join(TimeSpan.FromSeconds(5));
        foreach (var socket in _sockets) socket.Dispose();
        _wake.Dispose();
        _stop.Dispose();
    }

    /// <summary>Runs <paramref name="command"/> on the driver thread, the only one that touches the clients.</summary>
    private void Post(Action command)
    {
        _commands.Enqueue(command);
        _wake.Set();
    }

    private async Task ReceiveLoop(int socketIndex)
    {
        var socket = _sockets[socketIndex];
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue; // e.g. ICMP port unreachable reported on the socket: not ours to mind
            }
            _inbound.Enqueue(new Inbound(socketIndex, (IPEndPoint)received.RemoteEndPoint, buffer[..received.ReceivedBytes]));
            if (Volatile.Read(ref _sleeping) == 1) _wake.Set();
        }
    }

    private void Drive()
    {
        while (!_stop.IsCancellationRequested)
        {
            while (_commands.TryDequeue(out var command)) command();
            // A bounded batch, so timers and the workload get their turn under a flood.
            for (var n = 0; n < 4096 && _inbound.TryDequeue(out var inbound); n++) Deliver(inbound);
            var now = DateTimeOffset.UtcNow;
            RunTimers(now);
            RunWorkload(now);
            if (!_inbound.IsEmpty || !_commands.IsEmpty) continue;
            Interlocked.Exchange(ref _sleeping, 1);
            if (_inbound.IsEmpty && _commands.IsEmpty)
            {
                var wait = _timers.TryPeek(out _, out var next) ? next - DateTimeOffset.UtcNow : TimeSpan.FromMilliseconds(2);
                _wake.WaitOne(TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 0, 2)));
            }
            Interlocked.Exchange(ref _sleeping, 0);
        }
    }

    private void Deliver(Inbound inbound)
    {
        var data = inbound.Datagram;
        int member;
        switch (PacketClassifier.Classify(data))
        {
            case PacketKind.Stun when data.Length >= 20 && _byStunTransaction.TryGetValue(StunTransaction(data), out member):
                break;
            case PacketKind.Pype when PypePacket.Classify(data) == PypePacketType.HandshakeResponse && data.Length >= HandshakeResponse.ReceiverIndexOffset + 4
                && _byIndex.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(HandshakeResponse.ReceiverIndexOffset)), out member):
                break;
            case PacketKind.Pype when PypePacket.Classify(data) == PypePacketType.TransportData && data.Length >= TransportData.HeaderLength
                && _byIndex.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(TransportData.ReceiverIndexOffset)), out member):
                break;
            default:
                Unroutable++;
                return;
        }
        var m = _members[member];
        if (m.Client is null || m.Socket != inbound.Socket)
        {
            Unroutable++;
            return;
        }
        var now = DateTimeOffset.UtcNow;
        m.Client.HandleDatagram(now, inbound.Source, data);
        Pump(member, now);
    }

    private void RunTimers(DateTimeOffset now)
    {
        while (_timers.TryPeek(out var member, out var due) && due <= now)
        {
            _timers.Dequeue();
            var m = _members[member];
            if (m.Scheduled != due) continue; // superseded by a later schedule
            m.Scheduled = null;
            m.Client!.HandleTimeout(now);
            Pump(member, now);
        }
    }

    /// <summary>Sends what the client queued, takes its events and re-arms its timer.</summary>
    private void Pump(int member, DateTimeOffset now)
    {
        var m = _members[member];
        var client = m.Client!;
        var socket = _sockets[m.Socket];
        while (client.PollTransmit() is { } transmit)
        {
            Learn(member, transmit.Datagram);
            try
            {
                socket.SendTo(transmit.Datagram, transmit.Destination);
                DatagramsSent++;
            }
            catch (SocketException)
            {
                SendErrors++;
            }
        }
        while (client.PollEvent() is { } e) OnEvent(member, now, e);
        if (client.NextDeadline is { } next && m.Scheduled != next)
        {
            m.Scheduled = next;
            _timers.Enqueue(member, next);
        }
    }

    private void Learn(int member, byte[] datagram)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun when datagram.Length >= 20:
                _byStunTransaction[StunTransaction(datagram)] = member;
                break;
            case PacketKind.Pype when PypePacket.Classify(datagram) == PypePacketType.HandshakeInitiation
                && datagram.Length >= HandshakeInitiation.SenderIndexOffset + 4:
                _byIndex[BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(HandshakeInitiation.SenderIndexOffset))] = member;
                break;
        }
    }

    /// <summary>The 12-byte STUN transaction id (bytes 8–19), as a key.</summary>
    private static (ulong, uint) StunTransaction(ReadOnlySpan<byte> stun) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(stun[8..]), BinaryPrimitives.ReadUInt32LittleEndian(stun[16..]));

    private readonly record struct Inbound(int Socket, IPEndPoint Source, byte[] Datagram);

    private sealed class Member(IdentityKeyPair identity, PeerKey key, int socket, int seed)
    {
        public IdentityKeyPair Identity { get; } = identity;
        public PeerKey Key { get; } = key;
        public int Socket { get; } = socket;
        public int Seed { get; } = seed;
        public SeedClient? Client { get; set; }
        public DateTimeOffset? Scheduled { get; set; }
        public bool Registered { get; set; }
        /// <summary>Where this member sits in the list of registered members (−1 when not in it), for O(1) removal.</summary>
        public int RegisteredSlot { get; set; } = -1;
    }

    private SeedClient NewClient(Member member, DateTimeOffset now) =>
        new(new SeedClientOptions { Identity = member.Identity, Seeds = [_seeds[member.Seed]] }, SystemRandomSource.Instance, now);
}
