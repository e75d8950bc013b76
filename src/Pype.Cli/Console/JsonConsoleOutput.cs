using System.Text.Json;

namespace Pype.Cli.Console;

/// <summary>
/// One JSON object per line for every event, flushed at once, so scripts and tests can follow
/// the node. The schema is docs/EVENTS.md; every object has "event" and "time", then the fields
/// its <see cref="ConsoleEvent"/> writes.
/// </summary>
public sealed class JsonConsoleOutput(TextWriter writer, TimeProvider clock) : IConsoleOutput
{
    private readonly Lock gate = new();

    public void Show(object message)
    {
        if (ConsoleEvents.For(message) is not { } kind)
        {
            message = ConsoleEvents.Unrenderable(message);
            kind = ConsoleEvents.For(message)!;
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", kind.Name);
            json.WriteString("time", clock.GetUtcNow());
            kind.WriteJson(json, message);
            json.WriteEndObject();
        }
        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
