namespace Pype.Core.Connection;

/// <summary>
/// The receiver indices a link's owner has routed to that link in the node's demux: each handshake
/// the link sends or accepts allocates one, routed before the packet leaves, and an index the link
/// no longer owns is released. ConnectionActor and the simulated node keep one per link.
/// </summary>
public sealed class LinkIndexRoutes
{
    private readonly HashSet<uint> _routed = [];

    public int Count => _routed.Count;

    /// <summary>True when <paramref name="index"/> was not routed yet: the owner registers it now.</summary>
    public bool Add(uint index) => _routed.Add(index);

    /// <summary>True when <paramref name="datagram"/> is a handshake naming a sender index not routed yet: the owner registers it before sending.</summary>
    public bool AddSent(ReadOnlySpan<byte> datagram, out uint index) =>
        LinkPacketRouting.TryReadSenderIndex(datagram, out index) && _routed.Add(index);

    /// <summary>The routed indices <paramref name="link"/> no longer owns (retired handshakes and sessions), forgotten here for the owner to release.</summary>
    public IReadOnlyList<uint> Retire(PeerLink link)
    {
        var retired = _routed.Where(index => !link.OwnsIndex(index)).ToList();
        _routed.ExceptWith(retired);
        return retired;
    }
}
