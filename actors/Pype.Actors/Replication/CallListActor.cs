using Akka.Actor;
using Pype.Core.Replication;

namespace Pype.Actors.Replication;

/// <summary>The node's durable copy of the replicated call list (invites and their tombstones).</summary>
public sealed class CallListActor(int snapshotEvery) : SignedItemStoreActor("call-list", snapshotEvery)
{
    public static Props Props(int snapshotEvery) => Akka.Actor.Props.Create(() => new CallListActor(snapshotEvery));

    protected override (string Key, DateTimeOffset Expiry)? Describe(byte[] encoded) =>
        CallListEntryCodec.TryDecode(encoded, out var entry) ? (entry.Key.ToString(), entry.Expiry) : null;
}
