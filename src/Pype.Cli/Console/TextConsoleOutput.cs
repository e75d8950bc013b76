using Spectre.Console;

namespace Pype.Cli.Console;

/// <summary>
/// Output for a person: tables and colour on a terminal (Spectre.Console), the same content as
/// plain lines when stdout is redirected. Shows the address as a QR code on a terminal. Each
/// message's lines come from its <see cref="ConsoleEvent"/>.
/// </summary>
public sealed class TextConsoleOutput : IConsoleOutput
{
    private readonly ConsoleText text;
    private readonly Lock gate = new();

    public TextConsoleOutput(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 200;
        text = new ConsoleText(console, terminal);
    }

    public void Show(object message)
    {
        if (ConsoleEvents.For(message) is not { } kind)
        {
            message = ConsoleEvents.Unrenderable(message);
            kind = ConsoleEvents.For(message)!;
        }
        lock (gate) kind.WriteText(text, message);
    }

    public void Prompt() => text.Console.Markup("[bold blue]pype>[/] ");
}
