using Pype.Core.Seed;

namespace Pype.Core.Node;

/// <summary>
/// Peers whose links found no path within the last <paramref name="window"/>: worth introducing
/// again (once) when our own candidates gain a relayed address, which their introductions lacked.
/// Bounded, the oldest forgotten first.
/// </summary>
internal sealed class RecentLinkFailures(TimeSpan window)
{
    private const int Capacity = 64;
    private readonly List<(PeerKey Peer, DateTimeOffset At)> _failures = [];

    /// <summary>Records the failure; false when the peer had failed within the window already.</summary>
    public bool Add(DateTimeOffset now, PeerKey peer)
    {
        var first = !_failures.Exists(f => f.Peer.Equals(peer) && now - f.At <= window);
        _failures.RemoveAll(f => f.Peer.Equals(peer) || now - f.At > window);
        if (_failures.Count == Capacity)
            _failures.RemoveAt(0);
        _failures.Add((peer, now));
        return first;
    }

    public IEnumerable<PeerKey> Recent(DateTimeOffset now) => _failures.Where(f => now - f.At <= window).Select(f => f.Peer);

    public void Clear() => _failures.Clear();
}
