namespace Pype.Cli.Console;

/// <summary>Where the console writes what the node says: a person's terminal or a script's pipe.</summary>
public interface IConsoleOutput
{
    /// <summary>Renders a reply or event from the node or seed (see Pype.Actors protocols).</summary>
    void Show(object message);

    void Warning(string message);

    void Error(string command, string message);

    void Help(IReadOnlyList<(string Usage, string Description)> commands);

    void Stopped(string reason);
}

/// <summary>Sent to an output to say the process is shutting down.</summary>
public sealed record ShuttingDown(string Reason);
