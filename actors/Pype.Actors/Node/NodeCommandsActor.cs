using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Contacts;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Actors.Transport;
using Pype.Core.Contacts;
using Pype.Core.Identity;

namespace Pype.Actors.Node;

/// <summary>
/// Answers the console's commands to the node without waiting in any mailbox: a command one
/// part answers alone is handed to that part with the asker as sender; a command that needs
/// answers first gets an <see cref="AnswerGatherer"/> of its own, and this actor moves on. A
/// part that is slow or silent (the contact list waiting for its database) delays only the
/// requests that asked it, and each of those still answers after its timeout, partly if it can.
/// Supervision: it holds no state (every command arrives with the parts it concerns), so its
/// parent may restart it freely; a request whose completion throws is stopped, the others go on.
/// </summary>
public sealed class NodeCommandsActor : ReceiveActor
{
    private readonly TimeSpan answerTimeout;
    private readonly NodeStatusReport statusReport;

    public NodeCommandsActor(PypeSettings settings, DateTimeOffset startedAt, TimeSpan answerTimeout)
    {
        this.answerTimeout = answerTimeout;
        statusReport = new NodeStatusReport(settings, startedAt);
        Receive<CommandForParts>(command => Handle(command.Command, command.Parts, Sender));
    }

    public static Props Props(PypeSettings settings, DateTimeOffset startedAt, TimeSpan answerTimeout) =>
        Akka.Actor.Props.Create(() => new NodeCommandsActor(settings, startedAt, answerTimeout));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void Handle(INodeCommand command, NodeParts parts, IActorRef asker)
    {
        switch (command)
        {
            case ListPeers or ConnectToPeer or DisconnectPeer:
                parts.Peers.Tell(command, asker);
                break;
            case Calls.GetCallStats:
                parts.Calls.Tell(command, asker);
                break;
            case EndCall end:
                parts.Calls.Tell(new Calls.ActOnCall(end.CallId, end.Action, end.Command), asker);
                break;
            case PlaceCall place:
                PlaceCall(parts, place.Target, asker);
                break;
            case ShowBook show:
                ShowBook(parts, show.Query, asker);
                break;
            case ListCalls:
                Gather([(parts.Calls, Calls.GetLiveCalls.Instance), (parts.Gossip, GetCallEntries.Instance)], answers => asker.Tell(
                    Answer<Calls.LiveCalls>(answers) is { } live && Answer<CallEntriesView>(answers) is { } entries
                        ? new CallsView(live.Calls, entries.Entries)
                        : new CommandFailed("calls", "the call manager or the call list did not answer in time")));
                break;
            case ListContacts:
                Gather([(parts.Contacts, GetContacts.Instance)], answers => asker.Tell(Answer<ContactsListing>(answers) is { } listing
                    ? new ContactsView(listing.Contacts.Select(View).ToList())
                    : new CommandFailed("contacts", "the contact list did not answer in time")));
                break;
            case AddContact add:
                if (PypeAddress.Parse(add.Address) is not AddressParseResult.Ok { PublicKey: var publicKey })
                    asker.Tell(new CommandFailed("add", ((AddressParseResult.Failed)PypeAddress.Parse(add.Address)).Message));
                else
                    ChangeContact(parts, "add", new AddContactCommand(publicKey, HashAddress.FromPublicKey(publicKey).ToString(), add.Name, parts.Identity.Hash.ToString()), asker);
                break;
            case RemoveContact remove:
                ChangeContact(parts, "remove", new RemoveContactCommand(remove.NameOrHash), asker);
                break;
            case RenameContact rename:
                ChangeContact(parts, "rename", new RenameContactCommand(rename.NameOrHash, rename.NewName), asker);
                break;
            case GetNodeStatus:
                Gather(NodeStatusReport.Questions(parts), answers => asker.Tell(statusReport.From(parts, answers)));
                break;
            case FlushNode:
                Gather([(parts.Contacts, FlushSnapshot.Instance)], answers => asker.Tell(Answer<SnapshotFlushed>(answers) is not null
                    ? new NodeFlushed()
                    : new CommandFailed("flush", "the contact list did not save its snapshot in time")));
                break;
            default:
                asker.Tell(new CommandFailed(command.GetType().Name.ToLowerInvariant(), "the node does not handle this command here"));
                break;
        }
    }

    /// <summary>Sends the questions with a new gatherer as their sender, in this order, so a
    /// part sees them after every command sent to it before.</summary>
    private void Gather(IReadOnlyList<(IActorRef Part, object Question)> questions, Action<IReadOnlyList<object>> complete)
    {
        var gatherer = Context.ActorOf(AnswerGatherer.Props(questions.Count, answerTimeout, complete));
        foreach (var (part, question) in questions) part.Tell(question, gatherer);
    }

    private void PlaceCall(NodeParts parts, string target, IActorRef asker)
    {
        if (PypeAddress.Parse(target) is AddressParseResult.Ok ok) parts.Calls.Tell(new Calls.PlaceCallTo(ok.PublicKey), asker);
        else FindContact(parts, target, "call", asker, contact =>
        {
            if (contact is not null) parts.Calls.Tell(new Calls.PlaceCallTo(contact.PublicKey), asker);
            else asker.Tell(new CommandFailed("call", $"'{target}' is neither a contact nor an address"));
        });
    }

    private void ShowBook(NodeParts parts, string? query, IActorRef asker)
    {
        if (query is null) parts.Gossip.Tell(GetBookSummary.Instance, asker);
        else if (HashAddress.TryParse(query, out var hash)) parts.Gossip.Tell(new LookupRecord(hash), asker);
        else if (PypeAddress.Parse(query) is AddressParseResult.Ok ok) parts.Gossip.Tell(new LookupRecord(HashAddress.FromPublicKey(ok.PublicKey)), asker);
        else FindContact(parts, query, "book", asker, contact =>
        {
            if (contact is not null && HashAddress.TryParse(contact.HashHex, out var contactHash)) parts.Gossip.Tell(new LookupRecord(contactHash), asker);
            else asker.Tell(new CommandFailed("book", $"'{query}' is not a contact, an address or a 64-digit hash"));
        });
    }

    /// <summary>A contact by name or hash prefix, handed to <paramref name="found"/> (null when none matches).</summary>
    private void FindContact(NodeParts parts, string nameOrHash, string command, IActorRef asker, Action<Contact?> found) =>
        Gather([(parts.Contacts, GetContacts.Instance)], answers =>
        {
            if (Answer<ContactsListing>(answers) is { } listing) found(ContactBook.FromContacts(listing.Contacts).Find(nameOrHash));
            else asker.Tell(new CommandFailed(command, "the contact list did not answer in time"));
        });

    private void ChangeContact(NodeParts parts, string command, IContactsCommand change, IActorRef asker) =>
        Gather([(parts.Contacts, change)], answers => asker.Tell(answers.FirstOrDefault() switch
        {
            ContactChangeAccepted { Event: ContactAdded, Contact: { } added } => new ContactAddedReply(View(added)),
            ContactChangeAccepted { Event: ContactRemoved, Previous: { } removed } => new ContactRemovedReply(removed.Name, removed.HashHex),
            ContactChangeAccepted { Event: ContactRenamed, Previous: { } before, Contact: { } after } => new ContactRenamedReply(before.Name, View(after)),
            ContactChangeRefused refused => new CommandFailed(command, refused.Reason),
            null => new CommandFailed(command, "the contact list did not answer in time (is the database reachable?)"),
            var other => new CommandFailed(command, $"unexpected answer {other.GetType().Name}"),
        }));

    private static T? Answer<T>(IReadOnlyList<object> answers) where T : class => answers.OfType<T>().FirstOrDefault();

    private static ContactView View(Contact contact) =>
        new(contact.Name, contact.HashHex, PypeAddress.Encode(contact.PublicKey), contact.AddedAt);
}
