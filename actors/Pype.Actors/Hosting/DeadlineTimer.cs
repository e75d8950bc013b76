using Akka.Actor;

namespace Pype.Actors.Hosting;

/// <summary>
/// The one timer an actor around a sans-IO core needs: armed for the core's next deadline after
/// every input, so the core's HandleTimeout runs when (and only when) it asked for it.
/// </summary>
public sealed class DeadlineTimer(ITimerScheduler timers, object tick)
{
    private const string Key = "sans-io-deadline";

    public void Arm(DateTimeOffset? deadline, DateTimeOffset now)
    {
        if (deadline is not { } at)
        {
            timers.Cancel(Key);
            return;
        }
        var delay = at - now;
        timers.StartSingleTimer(Key, tick, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }
}
