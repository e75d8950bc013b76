using System.Net;
using Pype.Core.Diagnostics;

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
    private readonly RecencyTable<IPAddress, TokenBucket> _buckets = new();

    public int TrackedAddresses => _buckets.Count;

    /// <summary>Addresses forgotten to make room for a new one.</summary>
    public long Evictions { get; private set; }

    public bool TryTake(IPAddress source, DateTimeOffset now)
    {
        if (!_buckets.TryGetValue(source, out var bucket))
        {
            if (_buckets.Count >= maxTrackedAddresses)
            {
                _buckets.RemoveLeastRecent();
                Evictions++;
            }
            bucket = new TokenBucket(tokensPerSecond, burst, now);
        }
        _buckets.Use(source, bucket);
        return bucket.TryTake(now);
    }
}
