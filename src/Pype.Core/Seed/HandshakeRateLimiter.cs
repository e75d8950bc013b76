using System.Net;

namespace Pype.Core.Seed;

/// <summary>
/// A token bucket per source address, so one host cannot make the seed spend its CPU on
/// Diffie-Hellman for a flood of initiations. The table of buckets is bounded: buckets that have
/// refilled completely carry no information and are swept when it fills up.
/// </summary>
public sealed class HandshakeRateLimiter(double tokensPerSecond, double burst, int maxTrackedAddresses)
{
    private readonly Dictionary<IPAddress, Bucket> _buckets = [];

    /// <param name="tableFull">True when the answer is no because no bucket could be made for a new address.</param>
    public bool TryTake(IPAddress source, DateTimeOffset now, out bool tableFull)
    {
        tableFull = false;
        if (!_buckets.TryGetValue(source, out var bucket))
        {
            if (_buckets.Count >= maxTrackedAddresses && !SweepRefilled(now))
            {
                tableFull = true;
                return false;
            }
            bucket = new Bucket(burst, now);
        }
        var refilled = Math.Min(burst, bucket.Tokens + Math.Max(0, (now - bucket.UpdatedAt).TotalSeconds) * tokensPerSecond);
        if (refilled < 1)
        {
            _buckets[source] = bucket with { Tokens = refilled, UpdatedAt = now };
            return false;
        }
        _buckets[source] = new Bucket(refilled - 1, now);
        return true;
    }

    private bool SweepRefilled(DateTimeOffset now)
    {
        var refillTime = TimeSpan.FromSeconds(burst / tokensPerSecond);
        foreach (var (address, bucket) in _buckets)
            if (now - bucket.UpdatedAt >= refillTime)
                _buckets.Remove(address);
        return _buckets.Count < maxTrackedAddresses;
    }

    private readonly record struct Bucket(double Tokens, DateTimeOffset UpdatedAt);
}
