using System.Globalization;

namespace Pype.Core.Replication;

public sealed partial class GossipEngine
{
    /// <summary>Bounds the ends waiting for their invites: a node has a handful of calls at a time, not dozens.</summary>
    public const int MaxDeferredEnds = 32;

    /// <summary>
    /// Ends of calls whose invite has not reached this replica yet, by call id. A callee learns of
    /// a call from the caller's signal, which can overtake the gossiped invite; its "answered" then
    /// found nothing to replace, and the invite, arriving later, stayed ringing in every replica
    /// until it expired. Each waits at most an invite's default lifetime.
    /// </summary>
    private readonly Dictionary<UInt128, (CallEntryKind How, DateTimeOffset Until)> _deferredEnds = [];

    /// <summary>How many call ends wait for their invites.</summary>
    public int DeferredEnds => _deferredEnds.Count;

    /// <summary>
    /// A full call id with no entry at all here is an invite still on its way: its end waits for it.
    /// A prefix, an id whose entry is already ended or expired, or a full table is refused.
    /// </summary>
    private LocalCallChange DeferOrRefuse(DateTimeOffset now, string? callIdPrefix, CallEntryKind how, string command)
    {
        var refusal = new LocalCallChange.Refused("no ringing call in the call list to " + command);
        if (callIdPrefix is not { Length: 32 } || !UInt128.TryParse(callIdPrefix, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var callId))
            return refusal;
        if (CallList.Entries.Any(entry => entry.CallId == callId))
            return refusal;
        foreach (var stale in _deferredEnds.Where(pair => pair.Value.Until <= now).Select(pair => pair.Key).ToList())
            _deferredEnds.Remove(stale);
        if (_deferredEnds.Count >= MaxDeferredEnds && !_deferredEnds.ContainsKey(callId))
            return refusal;
        _deferredEnds[callId] = (how, now + CallListEntry.DefaultLifetime);
        return new LocalCallChange.Deferred(callId);
    }

    /// <summary>An accepted invite whose end was waiting gets it now; true when it was ended here.</summary>
    private bool EndIfDeferred(DateTimeOffset now, CallListEntry entry)
    {
        if (entry.IsTombstone || !_deferredEnds.Remove(entry.CallId, out var deferred) || deferred.Until <= now)
            return false;
        if (!EndableCalls(now, deferred.How).Contains(entry))
            return false;
        var tombstone = CallListEntry.CreateTombstone(_identity, entry, deferred.How);
        if (!LocalCallChanged(now, tombstone).IsAccepted)
            return false;
        // The shell journals what this replica learned; the tombstone is what it now holds.
        _events.Enqueue(new GossipEvent.CallEntryLearned(tombstone));
        return true;
    }
}
