namespace Pype.Lab;

/// <summary>
/// The emulator's rule for one direction, sans-IO: given a packet's arrival time and size, when
/// it leaves, or null when it is dropped. Times are offsets on the caller's clock.
/// </summary>
public sealed class LinkImpairment(Random random)
{
    private TimeSpan _bottleneckFreeAt;
    private TimeSpan _lastRelease;

    public LinkProfile Profile { get; set; } = LinkProfile.Clean;

    public long Dropped { get; private set; }

    public long QueueDrops { get; private set; }

    public long Passed { get; private set; }

    /// <summary>How long a packet arriving at <paramref name="now"/> would wait in the bottleneck queue.</summary>
    public TimeSpan QueueDelay(TimeSpan now) => _bottleneckFreeAt > now ? _bottleneckFreeAt - now : TimeSpan.Zero;

    public TimeSpan? Schedule(TimeSpan arrival, int bytes)
    {
        var profile = Profile;
        if (profile.LossPercent > 0 && random.NextDouble() * 100 < profile.LossPercent)
        {
            Dropped++;
            return null;
        }

        var leavesBottleneck = arrival;
        if (profile.RateKbps > 0)
        {
            var start = _bottleneckFreeAt > arrival ? _bottleneckFreeAt : arrival;
            if (start - arrival > profile.QueueLimit)
            {
                QueueDrops++;
                return null;
            }

            leavesBottleneck = start + TimeSpan.FromSeconds(bytes * 8.0 / (profile.RateKbps * 1000.0));
            _bottleneckFreeAt = leavesBottleneck;
        }

        var jitter = profile.Jitter > TimeSpan.Zero ? profile.Jitter * (random.NextDouble() * 2 - 1) : TimeSpan.Zero;
        var release = leavesBottleneck + profile.Delay + jitter;
        if (release < leavesBottleneck)
        {
            release = leavesBottleneck;
        }

        if (!profile.AllowReordering && release < _lastRelease)
        {
            release = _lastRelease;
        }

        _lastRelease = release > _lastRelease ? release : _lastRelease;
        Passed++;
        return release;
    }
}
