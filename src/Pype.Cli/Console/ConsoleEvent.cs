using System.Text.Json;

namespace Pype.Cli.Console;

/// <summary>
/// One kind of message the console shows, defined once: the record it renders, its name in JSON
/// output (docs/EVENTS.md), the fields it writes there and the lines a person reads.
/// </summary>
public abstract class ConsoleEvent(Type message, string name)
{
    /// <summary>The record this event renders; exactly one event per record type.</summary>
    public Type Message { get; } = message;

    /// <summary>The "event" value in JSON; a node's and a seed's answer may share one (`status`, `whoami`).</summary>
    public string Name { get; } = name;

    /// <summary>The fields after "event" and "time".</summary>
    public abstract void WriteJson(Utf8JsonWriter json, object message);

    public abstract void WriteText(ConsoleText text, object message);
}

/// <summary>An event for messages of type <typeparamref name="T"/>; a null text means scripts see it and people do not.</summary>
public sealed class ConsoleEvent<T>(string name, Action<Utf8JsonWriter, T> writeJson, Action<ConsoleText, T>? writeText)
    : ConsoleEvent(typeof(T), name) where T : notnull
{
    public override void WriteJson(Utf8JsonWriter json, object message) => writeJson(json, (T)message);

    public override void WriteText(ConsoleText text, object message) => writeText?.Invoke(text, (T)message);
}
