using Pype.Core.Identity;

namespace Pype.Core.Node;

/// <summary>
/// Call signalling for peers without a session yet, held while the seed introduces the two: at
/// most <see cref="PerPeer"/> messages a peer, each for at most <see cref="Lifetime"/>; the
/// call's own retransmissions take over after that.
/// </summary>
internal sealed class HeldCallSignals
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(20);
    public const int PerPeer = 16;

    private readonly Dictionary<HashAddress, Queue<(DateTimeOffset At, byte[] Payload)>> held = [];

    /// <summary>Holds one message; returns how many older ones were dropped to make room or because they expired.</summary>
    public int Hold(DateTimeOffset now, HashAddress peer, byte[] payload)
    {
        if (!held.TryGetValue(peer, out var queue)) held[peer] = queue = new();
        var dropped = 0;
        while (queue.Count > 0 && (queue.Count >= PerPeer || now - queue.Peek().At > Lifetime))
        {
            queue.Dequeue();
            dropped++;
        }
        queue.Enqueue((now, payload));
        return dropped;
    }

    /// <summary>The peer's messages still within their lifetime, oldest first; none are held afterwards.</summary>
    public IReadOnlyList<byte[]> Release(DateTimeOffset now, HashAddress peer) =>
        held.Remove(peer, out var queue) ? [.. queue.Where(m => now - m.At <= Lifetime).Select(m => m.Payload)] : [];
}
