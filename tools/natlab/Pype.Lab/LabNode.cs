using System.Text.Json;

namespace Pype.Lab;

/// <summary>A `pype node` running in a lab namespace: its process, address, hash and the reflexive address the seed saw.</summary>
public sealed record LabNode(PypeProcess Process, string Address, string Hash, string? ServerReflexive)
{
    public JsonElement WaitFor(string eventName, TimeSpan? timeout = null, Func<JsonElement, bool>? where = null) =>
        Process.WaitFor(eventName, timeout, where);

    public void Send(string line) => Process.Send(line);
}
