namespace Pype.Simulation;

/// <summary>
/// Virtual time and the actions due at future instants. Actions run in order of time, then of
/// scheduling, so ties never depend on hashing, threads or the wall clock.
/// </summary>
public sealed class VirtualClock(DateTimeOffset start)
{
    private readonly PriorityQueue<Action, (DateTimeOffset At, long Order)> _due = new();
    private long _scheduled;

    public DateTimeOffset Now { get; private set; } = start;

    /// <summary>When the earliest scheduled action is due, or null when nothing is scheduled.</summary>
    public DateTimeOffset? NextAt => _due.TryPeek(out _, out var key) ? key.At : null;

    public int Pending => _due.Count;

    /// <summary>Schedules <paramref name="action"/>; an instant in the past means now.</summary>
    public void Schedule(DateTimeOffset at, Action action) => _due.Enqueue(action, (at < Now ? Now : at, _scheduled++));

    /// <summary>Moves time forward (never back: the cores' deadlines assume a monotonic clock).</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        if (at < Now)
            throw new InvalidOperationException($"virtual time cannot go back from {Now:O} to {at:O}");
        Now = at;
    }

    /// <summary>Runs every action due at or before now, including those they schedule for now.</summary>
    public int RunDue()
    {
        var ran = 0;
        while (_due.TryPeek(out var action, out var key) && key.At <= Now)
        {
            _due.Dequeue();
            action();
            ran++;
        }
        return ran;
    }
}
