namespace Pype.Cli.Console;

/// <summary>
/// Where the console writes what the node says: a person's terminal or a script's pipe. Every
/// message it can show is defined once in <see cref="ConsoleEvents"/>.
/// </summary>
public interface IConsoleOutput
{
    /// <summary>Renders a reply or event from the node or seed (see Pype.Actors protocols) or the console itself.</summary>
    void Show(object message);
}

/// <summary>Something the user should know at start-up, e.g. an unencrypted key file.</summary>
public sealed record ConsoleWarning(string Message);

/// <summary>The answer to `help`: every command with what it does.</summary>
public sealed record HelpView(IReadOnlyList<(string Usage, string Description)> Commands);

/// <summary>The last thing an output shows: the process is shutting down, and why.</summary>
public sealed record ProcessStopped(string Reason);
