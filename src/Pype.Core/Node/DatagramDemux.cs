using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Stun;
using Pype.Core.Wire;

namespace Pype.Core.Node;

/// <summary>
/// Which part of the node an inbound datagram belongs to, sans IO: by first byte (RFC 7983), then
/// for Pype packets by receiver index in the one <see cref="ReceiverIndexTable{TOwner}"/>, whose
/// routes the owners of local indices register. STUN responses go to the seed link, the TURN
/// server's STUN and ChannelData to the relay, initiations to the handshake handler. Not
/// thread-safe and time is passed in: the UDP transport wraps it in a lock for its receive
/// thread, the simulated node uses it as it is.
/// </summary>
public sealed class DatagramDemux<TOwner>
    where TOwner : class
{
    private readonly ReceiverIndexTable<TOwner> _routes = new();
    private readonly Dictionary<string, long> _drops = [];
    private IPEndPoint? _relayServer;

    public TOwner? HandshakeHandler { get; set; }

    public TOwner? StunHandler { get; set; }

    public TOwner? RelayHandler { get; private set; }

    public int RoutedIndices => _routes.Count;

    /// <summary>Every drop by name, the index table's among them, as status output shows them.</summary>
    public IReadOnlyDictionary<string, long> Drops
    {
        get
        {
            var named = new Dictionary<string, long>(_drops);
            _routes.Drops.AddTo(named, reason => reason == ReceiverIndexDrop.Malformed ? "malformed-pype-packet" : DropNames.Kebab(reason));
            return named;
        }
    }

    public void SetRelay(TOwner? handler, IPEndPoint? server)
    {
        RelayHandler = handler;
        _relayServer = server is null ? null : Normalized(server);
    }

    public void CountDrop(string reason) => _drops[reason] = _drops.GetValueOrDefault(reason) + 1;

    public bool Register(DateTimeOffset now, uint index, TOwner owner) => _routes.Register(now, index, owner);

    public void Release(uint index, TOwner owner) => _routes.Release(index, owner);

    public void ReleaseOwner(TOwner owner) => _routes.ReleaseOwner(owner);

    /// <summary>An owner that is gone: its routes go, and so does any handler role it held, so nothing is handed to it again.</summary>
    public void Forget(TOwner owner)
    {
        _routes.ReleaseOwner(owner);
        if (owner.Equals(HandshakeHandler)) HandshakeHandler = null;
        if (owner.Equals(StunHandler)) StunHandler = null;
        if (owner.Equals(RelayHandler)) SetRelay(null, null);
    }

    /// <summary>
    /// True when <paramref name="datagram"/> is a STUN Binding request, which the socket's owner
    /// answers itself (so anyone may learn its reflexive address from it) instead of routing:
    /// <paramref name="answer"/> is then what to send back to <paramref name="source"/>, or null
    /// when the request gets none (the drop counted).
    /// </summary>
    public bool IsStunRequest(IPEndPoint source, ReadOnlySpan<byte> datagram, out byte[]? answer)
    {
        answer = null;
        if (PacketClassifier.Classify(datagram) != PacketKind.Stun || !StunBindingResponder.IsRequest(datagram)) return false;
        answer = StunBindingResponder.Respond(datagram, source);
        if (answer is null) CountDrop("stun-request-refused");
        return true;
    }

    /// <summary>Forgets routes that saw no inbound packet for the table's idle expiry (retired handshakes).</summary>
    public void ExpireIdle(DateTimeOffset now) => _routes.ExpireIdle(now);

    /// <summary>
    /// The owner of an inbound Pype, STUN response or ChannelData datagram, or null (drop counted).
    /// STUN and ChannelData from the TURN server belong to the relay handler; ChannelData from
    /// anywhere else is garbage, since only a TURN server sends it. STUN requests are the
    /// transport's own to answer (<see cref="IsStunRequest"/>) before this.
    /// </summary>
    public TOwner? OwnerOf(DateTimeOffset now, IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        var fromRelayServer = _relayServer is not null && Normalized(source).Equals(_relayServer);
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun when fromRelayServer:
                return RelayHandler;
            case PacketKind.Stun:
                if (StunHandler is null)
                    CountDrop("stun-without-handler");
                return StunHandler;
            case PacketKind.Pype:
                return PypeOwner(now, datagram);
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
    public TOwner? OwnerOfRelayed(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        if (PacketClassifier.Classify(datagram) == PacketKind.Pype)
            return PypeOwner(now, datagram);
        CountDrop("relayed-not-pype");
        return null;
    }

    private static IPEndPoint Normalized(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private TOwner? PypeOwner(DateTimeOffset now, ReadOnlySpan<byte> datagram)
    {
        if (_routes.Resolve(now, datagram, out var owner) != ReceiverIndexLookup.Initiation)
            return owner;
        if (HandshakeHandler is null)
            CountDrop("initiation-without-handler");
        return HandshakeHandler;
    }
}
