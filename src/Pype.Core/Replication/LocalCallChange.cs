namespace Pype.Core.Replication;

/// <summary>What a call-list change made on this node came to: the entry now in the call list
/// (and pushed to the neighbours), or why there is none.</summary>
public abstract record LocalCallChange
{
    private LocalCallChange()
    {
    }

    public sealed record Written(CallListEntry Entry) : LocalCallChange;

    public sealed record Refused(string Reason) : LocalCallChange;

    /// <summary>The call's invite is not in the list yet: its end is written the moment the invite arrives (<see cref="GossipEngine.MaxDeferredEnds"/>).</summary>
    public sealed record Deferred(UInt128 CallId) : LocalCallChange;
}
