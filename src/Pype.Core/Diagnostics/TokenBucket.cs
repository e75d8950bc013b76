namespace Pype.Core.Diagnostics;

/// <summary>A token bucket: <c>rate</c> tokens a second up to <c>burst</c>.</summary>
internal sealed class TokenBucket(double rate, int burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _last = now;

    public bool TryTake(DateTimeOffset now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * rate);
            _last = now;
        }

        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
