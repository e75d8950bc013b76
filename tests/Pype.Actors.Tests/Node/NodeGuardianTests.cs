using System.Net;
using Akka.Actor;
using Microsoft.Data.Sqlite;
using Pype.Actors.Configuration;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Storage;
using Pype.Actors.Transport;
using Pype.Core.Identity;
using Xunit;

namespace Pype.Actors.Tests.Node;

/// <summary>
/// The node's root with its real parts, driven by the console's commands. A database held by
/// another connection is what makes the contact list and the replicas fall silent.
/// </summary>
public class NodeGuardianTests : PersistenceTestKit
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(40);

    [Fact]
    public void Status_answers_without_the_silent_contact_list_and_replicas_while_other_commands_are_answered_meanwhile()
    {
        using var holder = HoldDatabase();
        var node = StartNode(answerTimeout: TimeSpan.FromSeconds(5));

        node.Tell(new GetNodeStatus());
        node.Tell(new WhoAmI());
        node.Tell(new ListPeers());

        ExpectMsg<IdentityView>(LongWait);
        Assert.Empty(ExpectMsg<PeersView>(LongWait).Peers);
        var status = ExpectMsg<NodeStatus>(LongWait);
        Assert.Equal(-1, status.Contacts);
        Assert.Equal(-1, status.JournalEvents);
        Assert.Null(status.Gossip);
        Assert.Equal(0, status.Peers.Connected);
    }

    [Fact]
    public void A_contact_change_the_database_cannot_take_fails_after_the_timeout_and_says_why()
    {
        using var holder = HoldDatabase();
        var node = StartNode(answerTimeout: TimeSpan.FromSeconds(2));

        node.Tell(new AddContact(IdentityKeyPair.Generate().Address, "bob"));

        var failed = ExpectMsg<CommandFailed>(LongWait);
        Assert.Equal("add", failed.Command);
        Assert.Contains("did not answer in time", failed.Message);
    }

    [Fact]
    public void Contacts_changed_through_the_node_are_listed_counted_in_its_status_and_resolved_by_name()
    {
        var node = StartNode();
        var bob = IdentityKeyPair.Generate();

        node.Tell(new AddContact(bob.Address, "bob"));
        Assert.Equal("bob", ExpectMsg<ContactAddedReply>(LongWait).Contact.Name);
        node.Tell(new RenameContact("bob", "robert"));
        Assert.Equal("bob", ExpectMsg<ContactRenamedReply>(LongWait).OldName);
        node.Tell(new ListContacts());
        Assert.Equal(["robert"], ExpectMsg<ContactsView>(LongWait).Contacts.Select(c => c.Name));
        node.Tell(new GetNodeStatus());
        Assert.Equal(1, ExpectMsg<NodeStatus>(LongWait).Contacts);

        node.Tell(new ShowBook("robert"));
        Assert.Equal(bob.Hash.ToString(), ExpectMsg<RecordLookup>(LongWait).Hash);
        node.Tell(new PlaceCall("carol"));
        Assert.Contains("neither a contact nor an address", ExpectMsg<CommandFailed>(LongWait).Message);

        node.Tell(new RemoveContact("robert"));
        Assert.Equal("robert", ExpectMsg<ContactRemovedReply>(LongWait).Name);
        node.Tell(new FlushNode());
        ExpectMsg<NodeFlushed>(LongWait);
    }

    [Fact]
    public void After_a_key_rotation_the_status_reports_the_new_identity()
    {
        var node = StartNode();
        node.Tell(new RotateKeys());
        var rotated = ExpectMsg<KeysRotated>(LongWait);

        node.Tell(new GetNodeStatus());

        var status = ExpectMsg<NodeStatus>(LongWait);
        Assert.Equal(rotated.Hash, status.Hash);
        Assert.NotEqual(rotated.PreviousHash, status.Hash);
    }

    private IActorRef StartNode(TimeSpan? answerTimeout = null)
    {
        var (settings, _) = SettingsLoader.Load([], new Dictionary<string, string> { ["pype.data-dir"] = DataDir }, _ => null);
        var store = new IdentityStore(DataDir, IdentityStore.NodeKeyFileName, KeyFileCost.ForTests);
        var socket = UdpTransportActor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return Sys.ActorOf(NodeGuardian.Props(settings, store, store.LoadOrCreate(null), null, socket, answerTimeout), NodeGuardian.Name);
    }

    /// <summary>Takes the database's exclusive lock (the file is fresh, so nothing is in it yet):
    /// until disposed, every journal and snapshot store of the node waits for it.</summary>
    private SqliteConnection HoldDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, AkkaConfig.DatabaseFileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE";
        command.ExecuteNonQuery();
        return connection;
    }
}
