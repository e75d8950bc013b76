namespace Pype.Core.Diagnostics;

/// <summary>A token bucket: <c>rate</c> tokens a second up to <c>burst</c>; a token may stand for one event or one byte.</summary>
internal sealed class TokenBucket(double rate, double burst, DateTimeOffset now)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private DateTimeOffset _last = now;

    public bool TryTake(DateTimeOffset now) => TryTake(now, 1);

    /// <summary>Takes <paramref name="amount"/> tokens when that many are there; takes none otherwise.</summary>
    public bool TryTake(DateTimeOffset now, double amount)
    {
        Refill(now);
        if (_tokens < amount)
        {
            return false;
        }

        _tokens -= amount;
        return true;
    }

    /// <summary>
    /// The earliest time <paramref name="amount"/> tokens will be there (a millisecond late rather
    /// than a rounding error early); null when the burst cannot ever hold that many.
    /// </summary>
    public DateTimeOffset? ReadyAt(double amount)
    {
        if (amount > _burst)
        {
            return null;
        }

        return _tokens >= amount ? _last : _last + TimeSpan.FromSeconds((amount - _tokens) / rate) + TimeSpan.FromMilliseconds(1);
    }

    private void Refill(DateTimeOffset now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + (now - _last).TotalSeconds * rate);
            _last = now;
        }
    }
}
