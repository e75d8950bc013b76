using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using Pype.Actors.Configuration;
using Pype.Actors.Contacts;
using Pype.Actors.Hosting;
using Pype.Core.Contacts;
using Pype.Lab;
using Xunit;

namespace Pype.Actors.Tests.Contacts;

public class ContactsActorTests : PersistenceTestKit
{
    private const string Own = "00000000000000000000000000000000000000000000000000000000000000aa";
    private static readonly ContactsSettings EveryThree = new(SnapshotEvery: 3, SnapshotInterval: TimeSpan.FromHours(1));

    private static AddContactCommand Add(byte seed, string name)
    {
        var key = Enumerable.Repeat(seed, 32).ToArray();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key));
        return new AddContactCommand(key, hash, name, Own);
    }

    private IActorRef StartContacts(ContactsSettings settings, string id = "contacts-test") =>
        Sys.ActorOf(ContactsActor.Props(settings, id));


    [Fact]
    public void Contacts_survive_a_restart_of_the_actor()
    {
        var contacts = StartContacts(new ContactsSettings(1000, TimeSpan.FromHours(1)));
        contacts.Tell(Add(1, "alice"));
        ExpectMsg<ContactChangeAccepted>();
        contacts.Tell(Add(2, "bob"));
        ExpectMsg<ContactChangeAccepted>();
        contacts.Tell(new RenameContactCommand("bob", "robert"));
        ExpectMsg<ContactChangeAccepted>();
        Stop(contacts);

        var again = StartContacts(new ContactsSettings(1000, TimeSpan.FromHours(1)));
        again.Tell(GetContacts.Instance);
        var listing = ExpectMsg<ContactsListing>();
        Assert.Equal(["alice", "robert"], listing.Contacts.Select(c => c.Name).Order());
    }

    [Fact]
    public void The_listener_hears_the_contact_set_once_recovered_and_after_each_change()
    {
        var listener = CreateTestProbe();
        var contacts = Sys.ActorOf(ContactsActor.Props(EveryThree, "contacts-listener-test", listener.Ref));
        Assert.Empty(listener.ExpectMsg<ContactSetChanged>().Contacts);

        var alice = Add(1, "alice");
        contacts.Tell(alice);
        ExpectMsg<ContactChangeAccepted>();
        Assert.Equal(Pype.Core.Identity.HashAddress.FromPublicKey(alice.PublicKey), Assert.Single(listener.ExpectMsg<ContactSetChanged>().Contacts));

        contacts.Tell(new RemoveContactCommand("alice"));
        ExpectMsg<ContactChangeAccepted>();
        Assert.Empty(listener.ExpectMsg<ContactSetChanged>().Contacts);
    }

    [Fact]
    public void Refused_change_is_answered_and_not_journalled()
    {
        var contacts = StartContacts(EveryThree);
        contacts.Tell(Add(1, "alice"));
        ExpectMsg<ContactChangeAccepted>();
        contacts.Tell(Add(2, "alice"));
        Assert.Contains("already taken", ExpectMsg<ContactChangeRefused>().Reason);
        contacts.Tell(GetContactsStatus.Instance);
        Assert.Equal(1, ExpectMsg<ContactsStatus>().LastSequenceNr);
    }

    [Fact]
    public void Snapshot_after_N_events_trims_the_journal_and_recovery_uses_it()
    {
        var contacts = StartContacts(EveryThree);
        for (byte i = 1; i <= 4; i++)
        {
            contacts.Tell(Add(i, "friend" + i));
            ExpectMsg<ContactChangeAccepted>();
        }
        AwaitAssert(() =>
        {
            contacts.Tell(GetContactsStatus.Instance);
            var status = ExpectMsg<ContactsStatus>();
            Assert.Equal(1, status.EventsSinceSnapshot);
            Assert.NotNull(status.LastSnapshotAt);
        }, TimeSpan.FromSeconds(5));
        // Events 1..3 are covered by the snapshot and trimmed; only event 4 is left to replay.
        AwaitAssert(() => Assert.Equal(1, CountRows("SELECT COUNT(*) FROM journal WHERE persistence_id = 'contacts-test' AND deleted = 0")), TimeSpan.FromSeconds(5));
        Assert.Equal(1, CountRows("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'contacts-test'"));
        Stop(contacts);

        var again = StartContacts(EveryThree);
        again.Tell(GetContacts.Instance);
        Assert.Equal(4, ExpectMsg<ContactsListing>().Contacts.Count);
        again.Tell(GetContactsStatus.Instance);
        var recovered = ExpectMsg<ContactsStatus>();
        Assert.Equal(4, recovered.LastSequenceNr);
        Assert.Equal(1, recovered.EventsSinceSnapshot);
    }

    [Fact]
    public void Flush_saves_a_snapshot_only_when_something_changed()
    {
        var contacts = StartContacts(new ContactsSettings(1000, TimeSpan.FromHours(1)));
        contacts.Tell(FlushSnapshot.Instance);
        Assert.False(ExpectMsg<SnapshotFlushed>().Saved);
        contacts.Tell(Add(1, "alice"));
        ExpectMsg<ContactChangeAccepted>();
        contacts.Tell(FlushSnapshot.Instance);
        Assert.True(ExpectMsg<SnapshotFlushed>(TimeSpan.FromSeconds(5)).Saved);
        contacts.Tell(GetContactsStatus.Instance);
        Assert.Equal(0, ExpectMsg<ContactsStatus>().EventsSinceSnapshot);
    }

    [Fact]
    public void Snapshot_interval_saves_pending_changes()
    {
        var contacts = StartContacts(new ContactsSettings(1000, TimeSpan.FromMilliseconds(300)));
        contacts.Tell(Add(1, "alice"));
        ExpectMsg<ContactChangeAccepted>();
        AwaitAssert(() =>
        {
            contacts.Tell(GetContactsStatus.Instance);
            Assert.Equal(0, ExpectMsg<ContactsStatus>().EventsSinceSnapshot);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Accepted_change_is_published_for_other_actors()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(ContactEvent));
        var contacts = StartContacts(EveryThree);
        contacts.Tell(Add(1, "alice"));
        object[] received = [ExpectMsg<object>(), ExpectMsg<object>()];
        Assert.Contains(received, m => m is ContactChangeAccepted);
        Assert.Contains(received, m => m is ContactAdded { Name: "alice" });
    }

}
