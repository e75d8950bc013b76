namespace Pype.Media.Processes;

/// <summary>The last few stderr lines of an ffmpeg process, kept to explain why it stopped.</summary>
internal sealed class RecentLines(int capacity)
{
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith("Last message repeated", StringComparison.Ordinal)) return;
        lock (_lines)
        {
            _lines.Enqueue(line.Trim());
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lines) return _lines.ToList();
    }

    public override string ToString() => string.Join(" | ", Snapshot());
}
