using System.Net;
using Pype.Core.Session;

namespace Pype.Core.Node;

/// <summary>
/// What a node knows of its own addresses as it learns them, and the candidates it publishes from
/// them (<see cref="OwnCandidates.For"/>): its socket's host candidates, the server-reflexive
/// address its seed saw it register from, and the relayed address of its TURN allocation. The last
/// two belong to one seed session and one allocation, so a network started again (a key rotation)
/// starts without them rather than publish addresses that no longer lead to it.
/// </summary>
public sealed class OwnAddresses(IReadOnlyList<Candidate> host)
{
    public IReadOnlyList<Candidate> Host { get; private set; } = host;

    public IPEndPoint? ServerReflexive { get; private set; }

    public IPEndPoint? Relayed { get; private set; }

    /// <summary>What the node's own record carries: host, server-reflexive, then relayed if the wire has room.</summary>
    public IReadOnlyList<Candidate> Candidates => OwnCandidates.For(Host, ServerReflexive, Relayed);

    /// <summary>The network starts again on these host candidates; the old seed session's and allocation's addresses are void.</summary>
    public void Restart(IReadOnlyList<Candidate> host) => (Host, ServerReflexive, Relayed) = (host, null, null);

    /// <summary>
    /// A seed's registration answer: true when it named an address, now the server-reflexive one.
    /// An answer without one, or with one that does not parse, leaves the last known in place:
    /// a seed that could not tell says nothing about whether the old one still holds.
    /// </summary>
    public bool RegisteredFrom(string? serverReflexive)
    {
        if (!IPEndPoint.TryParse(serverReflexive ?? "", out var address)) return false;
        ServerReflexive = address;
        return true;
    }

    /// <summary>The relay allocation's address changed; null when there is none any more.</summary>
    public void RelayedChanged(IPEndPoint? relayed) => Relayed = relayed;
}
