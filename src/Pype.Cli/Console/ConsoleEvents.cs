using System.Collections.Frozen;
using System.Text.Json;
using Pype.Actors.Node;
using Spectre.Console;

namespace Pype.Cli.Console;

/// <summary>
/// Every event the console shows, one entry each: its JSON name, its JSON fields and its text.
/// docs/EVENTS.md documents exactly these (a test holds the two together). The entries are
/// grouped by subject across the partial files.
/// </summary>
public static partial class ConsoleEvents
{
    public static IReadOnlyList<ConsoleEvent> All { get; } = [.. Identity(), .. Status(), .. Network(), .. Calls(), .. OwnEvents()];

    private static readonly FrozenDictionary<Type, ConsoleEvent> ByMessage = All.ToFrozenDictionary(e => e.Message);

    /// <summary>The event that renders <paramref name="message"/>, or null when none does.</summary>
    public static ConsoleEvent? For(object message) => ByMessage.GetValueOrDefault(message.GetType());

    /// <summary>What is shown for a message no event renders: a bug, said as an error rather than a crash.</summary>
    public static CommandFailed Unrenderable(object message) => new("", $"unrenderable message {message.GetType().Name}");

    private static ConsoleEvent<T> Define<T>(string name, Action<Utf8JsonWriter, T> json, Action<ConsoleText, T>? text) where T : notnull =>
        new(name, json, text);

    /// <summary>What the console says itself, rather than the node.</summary>
    private static ConsoleEvent[] OwnEvents() =>
    [
        Define<ConsoleWarning>("warning",
            (w, m) => w.WriteString("message", m.Message),
            (t, m) => t.Line($"[yellow]warning:[/] {m.Message}")),
        Define<CommandFailed>("error",
            (w, f) => { w.WriteString("command", f.Command); w.WriteString("message", f.Message); },
            (t, f) => t.Line($"[red]error:[/] {(f.Command.Length > 0 ? f.Command + ": " : "")}{f.Message}")),
        Define<HelpView>("help",
            (w, h) =>
            {
                w.WriteStartArray("commands");
                foreach (var (usage, description) in h.Commands)
                {
                    w.WriteStartObject();
                    w.WriteString("usage", usage);
                    w.WriteString("description", description);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            },
            (t, h) =>
            {
                var table = new Table().AddColumns("command", "what it does");
                foreach (var (usage, description) in h.Commands) table.AddRow(Markup.Escape(usage), Markup.Escape(description));
                t.Write(table);
            }),
        Define<ProcessStopped>("stopped",
            (w, s) => w.WriteString("reason", s.Reason),
            (t, s) => t.Line($"stopped ({s.Reason})")),
    ];

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    /// <summary>Counters by reason as one object, keys sorted so output is stable.</summary>
    private static void WriteCounts(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, long>> counts)
    {
        w.WriteStartObject(name);
        foreach (var (reason, count) in counts.OrderBy(d => d.Key)) w.WriteNumber(reason, count);
        w.WriteEndObject();
    }
}
