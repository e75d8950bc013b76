using System.Net;
using Akka.Actor;
using Pype.Core.Node;

namespace Pype.Actors.Transport;

/// <summary>
/// The node's <see cref="DatagramDemux{TOwner}"/> (by first byte, then Pype packets by receiver
/// index; owners register with <see cref="RouteIndex"/>) made safe for the receive thread and the
/// transport actor to share, with the wall clock. The loop never blocks on the actor's mailbox.
/// </summary>
public sealed class DatagramRouter(Func<DateTimeOffset>? clock = null)
{
    private readonly Func<DateTimeOffset> clock = clock ?? (() => DateTimeOffset.UtcNow);
    private readonly DatagramDemux<IActorRef> demux = new();

    public IActorRef? HandshakeHandler
    {
        get { lock (demux) return demux.HandshakeHandler; }
        set { lock (demux) demux.HandshakeHandler = value; }
    }

    public IActorRef? StunHandler
    {
        get { lock (demux) return demux.StunHandler; }
        set { lock (demux) demux.StunHandler = value; }
    }

    public IActorRef? RelayHandler
    {
        get { lock (demux) return demux.RelayHandler; }
    }

    public void SetRelay(IActorRef? handler, IPEndPoint? server)
    {
        lock (demux) demux.SetRelay(handler, server);
    }

    public int RoutedIndices
    {
        get { lock (demux) return demux.RoutedIndices; }
    }

    public IReadOnlyDictionary<string, long> Drops
    {
        get { lock (demux) return demux.Drops; }
    }

    public void CountDrop(string reason)
    {
        lock (demux) demux.CountDrop(reason);
    }

    public void Register(uint index, IActorRef owner)
    {
        lock (demux) demux.Register(clock(), index, owner);
    }

    public void Release(IEnumerable<uint> indices, IActorRef owner)
    {
        lock (demux)
            foreach (var index in indices) demux.Release(index, owner);
    }

    /// <summary>A watched owner or handler stopped: see <see cref="DatagramDemux{TOwner}.Forget"/>.</summary>
    public void Forget(IActorRef owner)
    {
        lock (demux) demux.Forget(owner);
    }

    /// <summary>A STUN Binding request, with its answer or null when refused: see <see cref="DatagramDemux{TOwner}.IsStunRequest"/>.</summary>
    public bool IsStunRequest(IPEndPoint source, ReadOnlySpan<byte> datagram, out byte[]? answer)
    {
        lock (demux) return demux.IsStunRequest(source, datagram, out answer);
    }

    /// <summary>Forgets routes that saw no inbound packet for the table's idle expiry (retired handshakes).</summary>
    public void ExpireIdle()
    {
        lock (demux) demux.ExpireIdle(clock());
    }

    /// <summary>The owner of an inbound Pype, STUN response or ChannelData datagram, or null (drop counted): see <see cref="DatagramDemux{TOwner}.OwnerOf"/>.</summary>
    public IActorRef? OwnerOf(IPEndPoint source, ReadOnlySpan<byte> datagram)
    {
        lock (demux) return demux.OwnerOf(clock(), source, datagram);
    }

    /// <summary>The owner of a datagram that came out of the TURN allocation: only Pype packets travel that way.</summary>
    public IActorRef? OwnerOfRelayed(ReadOnlySpan<byte> datagram)
    {
        lock (demux) return demux.OwnerOfRelayed(clock(), datagram);
    }
}
