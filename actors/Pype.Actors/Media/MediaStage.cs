using Akka.Actor;
using Pype.Media.Processes;

namespace Pype.Actors.Media;

/// <summary>What every media stage actor does the same way: name its failures and clean up without throwing.</summary>
internal static class MediaStage
{
    /// <summary>How long a stage waits for its ffmpeg or file to close when it stops.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An ffmpeg process a stage restarts more often than this is given up on.</summary>
    public const int MaxProcessRestarts = 10;

    /// <summary>The user-facing text of a device or stage failure.</summary>
    public static string Describe(Exception error) => error switch
    {
        MediaDeviceException device => device.Message,
        AggregateException { InnerException: { } inner } => Describe(inner),
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    /// <summary>
    /// Waits for a close to finish inside PostStop, which cannot be async: stopping a call must end
    /// its ffmpeg processes and complete its files before the session reports itself stopped.
    /// </summary>
    public static void Close(Func<ValueTask>? close)
    {
        if (close is null) return;
        try
        {
            close().AsTask().Wait(CloseTimeout);
        }
        catch (Exception)
        {
            // Closing is best effort: a stage that fails to close must not fail the call's shutdown.
        }
    }

    public static void Wait(Task? task)
    {
        try
        {
            task?.Wait(CloseTimeout);
        }
        catch (Exception)
        {
            // The task's own failure was reported when it happened.
        }
    }

    /// <summary>Reports a failure to the session and stops the stage; the rest of the call goes on.</summary>
    public static void Fail(IActorContext context, string stage, string message)
    {
        context.Parent.Tell(new StageFailed(stage, message));
        context.Stop(context.Self);
    }
}
