using Akka.Actor;

namespace Pype.Cli.Console;

/// <summary>Receives the node's unsolicited events and renders them on the console output.</summary>
public sealed class ConsoleEventSink : ReceiveActor
{
    public ConsoleEventSink(IConsoleOutput output) => ReceiveAny(output.Show);

    public static Props Props(IConsoleOutput output) => Akka.Actor.Props.Create(() => new ConsoleEventSink(output));
}
