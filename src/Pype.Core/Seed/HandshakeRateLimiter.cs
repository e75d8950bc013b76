using System.Net;

namespace Pype.Core.Seed;

/// <summary>
/// A token bucket per source address, so one host cannot make us spend CPU on Diffie-Hellman for
/// a flood of initiations. The table is bounded and kept in order of last use: when it is full, a
/// new address takes the place of the address unheard-of for longest, in constant time (a sweep
/// per new address cost ~600 µs once the table was full, and refused genuine newcomers). An
/// evicted address that comes back starts with a full bucket; under load only senders that proved
/// their address with a cookie reach this table, so a spoofed flood cannot churn it.
/// </summary>
public sealed class HandshakeRateLimiter(double tokensPerSecond, double burst, int maxTrackedAddresses)
{
    private readonly Dictionary<IPAddress, LinkedListNode<Bucket>> _buckets = [];
    private readonly LinkedList<Bucket> _byLastUse = new();

    public int TrackedAddresses => _buckets.Count;

    /// <summary>Addresses forgotten to make room for a new one.</summary>
    public long Evictions { get; private set; }

    public bool TryTake(IPAddress source, DateTimeOffset now)
    {
        if (_buckets.TryGetValue(source, out var node))
        {
            _byLastUse.Remove(node);
        }
        else if (_buckets.Count >= maxTrackedAddresses)
        {
            node = _byLastUse.First!;
            _byLastUse.RemoveFirst();
            _buckets.Remove(node.Value.Address);
            Evictions++;
            node.Value.Reset(source, burst, now);
            _buckets[source] = node;
        }
        else
        {
            node = new LinkedListNode<Bucket>(new Bucket(source, burst, now));
            _buckets[source] = node;
        }
        _byLastUse.AddLast(node);

        var bucket = node.Value;
        var elapsed = Math.Max(0, (now - bucket.UpdatedAt).TotalSeconds);
        var refilled = Math.Min(burst, bucket.Tokens + elapsed * tokensPerSecond);
        if (now > bucket.UpdatedAt)
            bucket.UpdatedAt = now;
        if (refilled < 1)
        {
            bucket.Tokens = refilled;
            return false;
        }
        bucket.Tokens = refilled - 1;
        return true;
    }

    private sealed class Bucket(IPAddress address, double tokens, DateTimeOffset updatedAt)
    {
        public IPAddress Address { get; private set; } = address;
        public double Tokens { get; set; } = tokens;
        public DateTimeOffset UpdatedAt { get; set; } = updatedAt;

        public void Reset(IPAddress address, double tokens, DateTimeOffset updatedAt)
        {
            Address = address;
            Tokens = tokens;
            UpdatedAt = updatedAt;
        }
    }
}
