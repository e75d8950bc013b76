using Akka.Actor;
using Pype.Core.Replication;

namespace Pype.Actors.Replication;

/// <summary>The node's durable copy of the replicated address book (hash → owner-signed record).</summary>
public sealed class AddressBookActor(int snapshotEvery) : SignedItemStoreActor("address-book", snapshotEvery)
{
    public static Props Props(int snapshotEvery) => Akka.Actor.Props.Create(() => new AddressBookActor(snapshotEvery));

    protected override (string Key, DateTimeOffset Expiry)? Describe(byte[] encoded) =>
        AddressBookRecordCodec.TryDecode(encoded, out var record) ? (record.Hash.ToString(), record.Expiry) : null;
}
