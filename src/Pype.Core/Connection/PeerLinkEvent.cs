using System.Net;
using Pype.Core.Session;

namespace Pype.Core.Connection;

public enum PeerLinkState
{
    /// <summary>Constructed, not started.</summary>
    Idle,
    /// <summary>Probing the remote candidates; no authenticated packet yet.</summary>
    Punching,
    /// <summary>At least one authenticated session on <see cref="PeerLink.ActivePath"/>.</summary>
    Connected,
    /// <summary>Was connected, then heard nothing authenticated for the lost-after time.</summary>
    Lost,
    /// <summary>Nothing authenticated arrived within the punch timeout.</summary>
    NoDirectPath,
}

/// <summary>What a <see cref="PeerLink"/> tells its owner; drained with <see cref="PeerLink.PollEvent"/>.</summary>
public abstract record PeerLinkEvent
{
    private PeerLinkEvent()
    {
    }

    /// <param name="Kind">How the path was learned: the matching remote candidate's kind, or peer-reflexive.</param>
    /// <param name="Elapsed">Since <see cref="PeerLink.Start"/>.</param>
    public sealed record Connected(IPEndPoint Path, CandidateKind Kind, TimeSpan Elapsed) : PeerLinkEvent;

    /// <summary>Authenticated packets now come from <paramref name="To"/> (NAT rebinding, roaming, or a move between a relay and a direct path).</summary>
    /// <param name="Kind">The new path's kind, as in <see cref="Connected"/>.</param>
    public sealed record PathChanged(IPEndPoint From, IPEndPoint To, CandidateKind Kind) : PeerLinkEvent;

    /// <param name="Silence">How long nothing authenticated had arrived.</param>
    public sealed record Lost(TimeSpan Silence) : PeerLinkEvent;

    /// <param name="CandidatesTried">Distinct remote endpoints probed, peer-reflexive ones included.</param>
    public sealed record NoDirectPath(int CandidatesTried, TimeSpan Elapsed) : PeerLinkEvent;

    /// <summary>An application message (first byte outside the link range 0x00–0x0F).</summary>
    public sealed record DataReceived(byte[] Payload) : PeerLinkEvent;
}

/// <summary>
/// One datagram for the owner to send from the node's socket; with <paramref name="ViaRelay"/>
/// through the node's own TURN allocation (a Send indication or ChannelData to the TURN server),
/// because the peer's packets reached us that way.
/// </summary>
public sealed record PeerLinkTransmit(IPEndPoint Destination, byte[] Datagram, bool ViaRelay = false);

public enum LinkSendResult
{
    Sent,
    NotConnected,
    /// <summary>Empty, or the first byte is a link message type (0x00–0x0F) the link keeps for itself.</summary>
    ReservedMessageType,
    PayloadTooLarge,
    CounterExhausted,
}
