using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using Pype.Actors.Configuration;
using Pype.Actors.Hosting;
using Pype.Actors.Replication;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Session;
using Pype.Lab;
using Xunit;

namespace Pype.Actors.Tests.Replication;

public class AddressBookActorTests : PersistenceTestKit
{
    private static byte[] Record(IdentityKeyPair owner, ulong sequence) =>
        AddressBookRecord.Create(owner, sequence, DateTimeOffset.UtcNow.AddHours(1),
            [new Candidate(CandidateKind.Host, System.Net.IPEndPoint.Parse("10.0.0.1:4000"))], []).Encoded.ToArray();

    private IActorRef Start(int snapshotEvery = 1000) => Sys.ActorOf(AddressBookActor.Props(snapshotEvery));


    [Fact]
    public void Stored_records_come_back_after_a_restart_newest_per_owner()
    {
        var alice = IdentityKeyPair.Generate();
        var bob = IdentityKeyPair.Generate();
        var store = Start();
        foreach (var record in new[] { Record(alice, 1), Record(bob, 1), Record(alice, 2) })
        {
            store.Tell(new StoreItem(record));
            Assert.True(ExpectMsg<ItemStored>().Stored);
        }
        Stop(store);

        var again = Start();
        again.Tell(GetStoredItems.Instance);
        var items = ExpectMsg<StoredItems>().Items;
        var decoded = items.Select(b => AddressBookRecordCodec.TryDecode(b, out var r) ? r : null).ToList();
        Assert.Equal(2, decoded.Count);
        Assert.Equal(2ul, decoded.Single(r => r!.Hash == alice.Hash)!.Sequence);
    }

    [Fact]
    public void Bytes_that_are_not_a_record_are_refused_and_never_journalled()
    {
        var store = Start();
        store.Tell(new StoreItem([1, 2, 3]));
        // Recovery from SQLite can take seconds on a loaded machine.
        Assert.False(ExpectMsg<ItemStored>(TimeSpan.FromSeconds(20)).Stored);
        Stop(store);
        var again = Start();
        again.Tell(GetStoredItems.Instance);
        Assert.Empty(ExpectMsg<StoredItems>(TimeSpan.FromSeconds(20)).Items);
    }

    [Fact]
    public void Snapshot_after_N_events_keeps_everything_and_trims_the_journal()
    {
        var owners = Enumerable.Range(0, 5).Select(_ => IdentityKeyPair.Generate()).ToList();
        var store = Start(snapshotEvery: 3);
        foreach (var owner in owners)
        {
            store.Tell(new StoreItem(Record(owner, 1)));
            ExpectMsg<ItemStored>();
        }
        AwaitAssert(() => Assert.Equal(1, CountRows("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'address-book'")), TimeSpan.FromSeconds(5));
        AwaitAssert(() => Assert.True(CountRows("SELECT COUNT(*) FROM journal WHERE persistence_id = 'address-book' AND deleted = 0") <= 2), TimeSpan.FromSeconds(5));
        Stop(store);

        var again = Start(snapshotEvery: 3);
        again.Tell(GetStoredItems.Instance);
        Assert.Equal(5, ExpectMsg<StoredItems>().Items.Count);
    }

}
