using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Pype.Core.Diagnostics;
using Pype.Core.Node;
using Pype.Core.Wire;

namespace Pype.Actors.Transport;

/// <summary>
/// Decides, on the receive thread, which actor a datagram belongs to: by first byte (RFC 7983),
/// then for Pype packets by receiver index in the one <see cref="ReceiverIndexTable{TOwner}"/>,
/// whose routes the owners of local indices register (<see cref="RouteIndex"/>). Thread-safe
/// because the receive loop and the actor both use it; the loop never blocks on the actor's mailbox.
/// </summary>
public sealed class DatagramRouter(Func<DateTimeOffset>? clock = null)
{
    private readonly Func<DateTimeOffset> clock = clock ?? (() => DateTimeOffset.UtcNow);
    private readonly ReceiverIndexTable<IActorRef> routes = new();
    private readonly ConcurrentDictionary<string, long> drops = new();

    public IActorRef? HandshakeHandler { get; set; }
    public IActorRef? StunHandler { get; set; }
    public IActorRef? RelayHandler { get; private set; }
    private IPEndPoint? relayServer;

    public void SetRelay(IActorRef? handler, IPEndPoint? server)
    {
        RelayHandler = handler;
        relayServer = server is null ? null : Normalized(server);
    }

    public int RoutedIndices
    {
        get { lock (routes) return routes.Count; }
    }

    public IReadOnlyDictionary<string, long> Drops
    {
        get
        {
            var named = new Dictionary<string, long>(drops);
            lock (routes) routes.Drops.AddTo(named, reason => reason == ReceiverIndexDrop.Malformed ? "malformed-pype-packet" : DropNames.Kebab(reason));
            return named;
        }
    }

    public void CountDrop(string reason) => drops.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public void Register(uint index, IActorRef owner)
    {
        lock (routes) routes.Register(clock(), index, owner);
    }

    public void Release(IEnumerable<uint> indices, IActorRef owner)
    {
        lock (routes)
            foreach (var index in indices) routes.Release(index, owner);
    }

    public void ReleaseOwner(IActorRef owner)
    {
        lock (routes) routes.ReleaseOwner(owner);
    }

    /// <summary>Forgets routes that saw no inbound packet for the table's idle expiry (retired handshakes).</summary>
    public void ExpireIdle()
    {
        lock (routes) routes.ExpireIdle(clock());
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
        ReceiverIndexLookup lookup;
        IActorRef? owner;
        lock (routes) lookup = routes.Resolve(clock(), datagram, out owner);
        if (lookup != ReceiverIndexLookup.Initiation) return owner;
        if (HandshakeHandler is null) CountDrop("initiation-without-handler");
        return HandshakeHandler;
    }
}
