using System.Text.Json;

namespace Pype.Lab;

/// <summary>A `pype node` running in a lab namespace: its process, address, hash, the reflexive
/// address the seed saw, and how it was started (so it can be restarted on the same data).</summary>
public sealed record LabNode(
    PypeProcess Process, string Address, string Hash, string? ServerReflexive,
    string DataDir, string Namespace, int OverlayDegree, string[] Extra)
{
    public JsonElement WaitFor(string eventName, TimeSpan? timeout = null, Func<JsonElement, bool>? where = null) =>
        Process.WaitFor(eventName, timeout, where);

    public void Send(string line) => Process.Send(line);
}
