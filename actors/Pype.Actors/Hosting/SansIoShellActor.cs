using Akka.Actor;

namespace Pype.Actors.Hosting;

/// <summary>
/// The common shape of an actor around a sans-IO core (docs/ARCHITECTURE.md §2): every input is
/// handed to the core with the actor's clock, then the core's outputs are drained and the one
/// timer is armed for the core's next deadline, so its timeout runs when (and only when) it
/// asked for it.
/// </summary>
public abstract class SansIoShellActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimerKey = "sans-io-deadline";

    private sealed record DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }

    protected SansIoShellActor() => Receive<DeadlineReached>(_ => Feed(OnDeadline));

    public ITimerScheduler Timers { get; set; } = null!;

    protected DateTimeOffset Now => Context.System.Scheduler.Now;

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
            Timers.Cancel(DeadlineTimerKey);
            return;
        }
        var delay = at - Now;
        Timers.StartSingleTimer(DeadlineTimerKey, DeadlineReached.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }
}
