using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Pype.Core.Wire;

namespace Pype.Actors.Transport;

/// <summary>
/// Decides, on the receive thread, which actor a datagram belongs to: by first byte (RFC 7983),
/// then for Pype packets by receiver index. Thread-safe because the receive loop and the actor
/// both use it; the loop never blocks on the actor's mailbox.
/// </summary>
public sealed class DatagramRouter
{
    private readonly ConcurrentDictionary<uint, Route> routes = new();
    private readonly ConcurrentDictionary<string, long> drops = new();

    private sealed record Route(IActorRef Owner)
    {
        public long LastUsedTicks = Environment.TickCount64;
    }

    public IActorRef? HandshakeHandler { get; set; }
    public IActorRef? StunHandler { get; set; }
    public IActorRef? RelayHandler { get; private set; }
    private IPEndPoint? relayServer;

    public void SetRelay(IActorRef? handler, IPEndPoint? server)
    {
        RelayHandler = handler;
        relayServer = server is null ? null : Normalized(server);
    }

    public int RoutedIndices => routes.Count;

    public IReadOnlyDictionary<string, long> Drops => new Dictionary<string, long>(drops);

    public void CountDrop(string reason) => drops.AddOrUpdate(reason, 1, (_, n) => n + 1);

    /// <summary>Remembers who sent a handshake so that answers to its sender index reach it.</summary>
    public void NoteOutbound(ReadOnlySpan<byte> datagram, IActorRef sender)
    {
        if (sender.IsNobody()) return;
        var type = PypePacket.Classify(datagram);
        if (type is PypePacketType.HandshakeInitiation or PypePacketType.HandshakeResponse && datagram.Length >= 8)
            routes[BinaryPrimitives.ReadUInt32LittleEndian(datagram[4..])] = new Route(sender);
    }

    public void Release(IEnumerable<uint> indices)
    {
        foreach (var index in indices) routes.TryRemove(index, out _);
    }

    public void ReleaseOwner(IActorRef owner)
    {
        foreach (var (index, route) in routes)
            if (route.Owner.Equals(owner)) routes.TryRemove(index, out _);
    }

    /// <summary>Forgets routes that saw no inbound packet for this long (retired handshakes).</summary>
    public void ExpireIdle(TimeSpan idle)
    {
        var cutoff = Environment.TickCount64 - (long)idle.TotalMilliseconds;
        foreach (var (index, route) in routes)
            if (Interlocked.Read(ref route.LastUsedTicks) < cutoff) routes.TryRemove(index, out _);
    }

    /// <summary>
    /// The owner of an inbound Pype, STUN response or ChannelData datagram, or null (drop
    /// counted). STUN and ChannelData from the TURN server belong to the relay handler; ChannelData
    /// from anywhere else is garbage, since only a TURN server sends it.
    /// </summary>
    public IActorRef? OwnerOf(IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        var fromRelayServer = relayServer is not null && Normalized(source).Equals(relayServer);
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun when fromRelayServer:
                return RelayHandler;
            case PacketKind.Stun:
                if (StunHandler is null) CountDrop("stun-without-handler");
                return StunHandler;
            case PacketKind.Pype:
                return PypeOwner(datagram);
            case PacketKind.TurnChannelData when fromRelayServer:
                return RelayHandler;
            case PacketKind.TurnChannelData:
                CountDrop("turn-channel-data-not-from-relay");
                return null;
            default:
                CountDrop("unknown-first-byte");
                return null;
        }
    }

    /// <summary>The owner of a datagram that came out of the TURN allocation: only Pype packets travel that way.</summary>
    public IActorRef? OwnerOfRelayed(ReadOnlySpan<byte> datagram)
    {
        if (PacketClassifier.Classify(datagram) == PacketKind.Pype)
            return PypeOwner(datagram);
        CountDrop("relayed-not-pype");
        return null;
    }

    private static IPEndPoint Normalized(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private IActorRef? PypeOwner(ReadOnlySpan<byte> datagram)
    {
        var receiverIndexOffset = PypePacket.Classify(datagram) switch
        {
            PypePacketType.HandshakeInitiation => -1,
            PypePacketType.HandshakeResponse => 8,
            PypePacketType.TransportData => 4,
            _ => -2,
        };
        if (receiverIndexOffset == -1)
        {
            if (HandshakeHandler is null) CountDrop("initiation-without-handler");
            return HandshakeHandler;
        }
        if (receiverIndexOffset < 0 || datagram.Length < receiverIndexOffset + 4)
        {
            CountDrop("malformed-pype-packet");
            return null;
        }
        var index = BinaryPrimitives.ReadUInt32LittleEndian(datagram[receiverIndexOffset..]);
        if (!routes.TryGetValue(index, out var route))
        {
            CountDrop("unknown-index");
            return null;
        }
        Interlocked.Exchange(ref route.LastUsedTicks, Environment.TickCount64);
        return route.Owner;
    }
}
