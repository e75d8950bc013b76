using Akka.Actor;

namespace Pype.Actors.Hosting;

/// <summary>
/// The common shape of an actor around a sans-IO core (docs/ARCHITECTURE.md §2): every input is
/// handed to the core with the actor's clock, then the core's outputs are drained and the one
/// timer is armed for the core's next deadline, so its timeout runs when (and only when) it
/// asked for it. The timer is re-armed only when the deadline moved, so an input that leaves it
/// where it was (most media packets) costs no scheduler work.
/// </summary>
public abstract class SansIoShellActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimerKey = "sans-io-deadline";

    private sealed record DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }

    private DateTimeOffset? armedFor;

    protected SansIoShellActor() => Receive<DeadlineReached>(_ =>
    {
        armedFor = null;
        Feed(OnDeadline);
    });

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The core's clock: the scheduler's, unless the core keeps time on another (media keeps the media clock).</summary>
    protected virtual DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <summary>The core's next deadline, read after every input.</summary>
    protected abstract DateTimeOffset? NextDeadline { get; }

    /// <summary>Calls the core's timeout handler.</summary>
    protected abstract void OnDeadline(DateTimeOffset now);

    /// <summary>Sends the core's datagrams and reports its events.</summary>
    protected abstract void DrainOutputs();

    /// <summary>Gives the core one input, then drains it and re-arms the deadline.</summary>
    protected void Feed(Action<DateTimeOffset> input)
    {
        input(Now);
        DrainOutputs();
        if (NextDeadline is not { } at)
        {
            if (armedFor is not null) Timers.Cancel(DeadlineTimerKey);
            armedFor = null;
            return;
        }
        if (at == armedFor) return;
        armedFor = at;
        var delay = at - Now;
        Timers.StartSingleTimer(DeadlineTimerKey, DeadlineReached.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }
}
