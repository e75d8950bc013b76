using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Pype.Actors.Hosting;

/// <summary>
/// Akka log output goes to stderr: stdout belongs to the console front end, which in JSON mode
/// must print nothing but one JSON object per line.
/// </summary>
public sealed class StandardErrorLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine($"[{e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()}] {e.Timestamp:HH:mm:ss.fff} {e.LogSource}: {e.Message}{(e.Cause is null ? "" : " " + e.Cause.Message)}"));
    }
}
