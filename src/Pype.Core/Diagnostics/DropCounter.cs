namespace Pype.Core.Diagnostics;

/// <summary>How many inputs were dropped, by reason, so operators can see what a core refuses.</summary>
public sealed class DropCounter<TReason>
    where TReason : struct, Enum
{
    private readonly Dictionary<TReason, long> _counts = [];

    public IReadOnlyDictionary<TReason, long> Counts => _counts;

    public long this[TReason reason] => _counts.GetValueOrDefault(reason);

    public long Total => _counts.Values.Sum();

    internal void Count(TReason reason) => _counts[reason] = _counts.GetValueOrDefault(reason) + 1;
}
