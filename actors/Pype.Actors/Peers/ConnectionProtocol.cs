using System.Net;
using Pype.Core.Connection;
using Pype.Core.Noise;
using Pype.Core.Session;

namespace Pype.Actors.Peers;

/// <summary>Messages of a ConnectionActor (one per peer).</summary>
public interface IConnectionMessage;

/// <summary>Punch towards these candidates now (from a seed introduction).</summary>
public sealed record StartPunching(IReadOnlyList<Candidate> Candidates) : IConnectionMessage;

/// <summary>A new introduction of the connected peer: probe these fresh candidates (<see cref="PeerLink.Reintroduce"/>).</summary>
public sealed record Reintroduce(IReadOnlyList<Candidate> Candidates) : IConnectionMessage;

/// <summary>A handshake initiation from this peer that the node's responder accepted.</summary>
public sealed record AcceptedHandshake(IPEndPoint Source, HandshakeAcceptance Acceptance, bool ViaRelay = false) : IConnectionMessage;

/// <summary>Application data for the peer (later layers: gossip, calls).</summary>
public sealed record SendToPeer(byte[] Payload) : IConnectionMessage;

/// <summary>What a ConnectionActor reports to its parent.</summary>
public sealed record LinkEventOccurred(Core.Identity.HashAddress Peer, PeerLinkEvent Event);

/// <summary>The link's path or round-trip time changed: keeps the peer list's view fresh, so <c>peers</c> asks no link.</summary>
public sealed record LinkStateChanged(Core.Identity.HashAddress Peer, CandidateKind? PathKind, IPEndPoint? ActivePath, TimeSpan? Rtt);
