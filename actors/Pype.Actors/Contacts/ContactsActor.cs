using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Pype.Actors.Configuration;
using Pype.Core.Contacts;

namespace Pype.Actors.Contacts;

/// <summary>
/// The user's contacts, journalled to SQLite. A command is answered only after its event is
/// written, so an acknowledged change survives a kill -9. Snapshots every N events and on an
/// interval, and trims the journal and older snapshots after each one.
/// </summary>
public sealed class ContactsActor : ReceivePersistentActor, IWithTimers
{
    public const string DefaultPersistenceId = "contacts";
    private const string SnapshotTimerKey = "snapshot";

    private sealed record SnapshotTick
    {
        public static readonly SnapshotTick Instance = new();
    }

    private readonly ContactsSettings settings;
    private readonly IActorRef? listener;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly List<IActorRef> flushWaiters = [];
    private ContactBook book = ContactBook.Empty;
    private long lastSnapshotSequenceNr;
    private DateTimeOffset? lastSnapshotAt;
    private bool snapshotInFlight;

    public ContactsActor(ContactsSettings settings, string persistenceId, IActorRef? listener = null)
    {
        this.settings = settings;
        this.listener = listener;
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is ContactsSnapshot snapshot)
            {
                book = ContactBook.FromContacts(snapshot.Contacts);
                lastSnapshotSequenceNr = offer.Metadata.SequenceNr;
                lastSnapshotAt = offer.Metadata.Timestamp;
            }
        });
        Recover<ContactEvent>(e => book = book.Apply(e));
        Recover<RecoveryCompleted>(_ => TellContactSet());

        Command<AddContactCommand>(add => Decide(book.DecideAdd(add.PublicKey, add.HashHex, add.Name, add.OwnHashHex, DateTimeOffset.UtcNow)));
        Command<RenameContactCommand>(rename => Decide(book.DecideRename(rename.NameOrHash, rename.NewName)));
        Command<RemoveContactCommand>(remove => Decide(book.DecideRemove(remove.NameOrHash)));
        Command<GetContacts>(_ => Sender.Tell(new ContactsListing(book.All.ToList())));
        Command<GetContactsStatus>(_ => Sender.Tell(new ContactsStatus(book.Count, LastSequenceNr, EventsSinceSnapshot, lastSnapshotAt)));
        Command<FlushSnapshot>(_ => Flush());
        Command<SnapshotTick>(_ => { if (EventsSinceSnapshot > 0) TakeSnapshot(); });
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(failure =>
        {
            snapshotInFlight = false;
            log.Warning("Saving the contacts snapshot failed: {0}", failure.Cause.Message);
            AnswerFlushWaiters(false);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => log.Warning("Trimming the contacts journal failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => log.Warning("Deleting old contacts snapshots failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="listener">Told <see cref="ContactSetChanged"/> once recovered and after every change.</param>
    public static Props Props(ContactsSettings settings, string persistenceId = DefaultPersistenceId, IActorRef? listener = null) =>
        Akka.Actor.Props.Create(() => new ContactsActor(settings, persistenceId, listener));

    private long EventsSinceSnapshot => LastSequenceNr - lastSnapshotSequenceNr;

    protected override void PreStart()
    {
        base.PreStart();
        Timers.StartPeriodicTimer(SnapshotTimerKey, SnapshotTick.Instance, settings.SnapshotInterval);
    }

    private void Decide(ContactDecision decision)
    {
        if (decision.Event is not { } contactEvent)
        {
            Sender.Tell(new ContactChangeRefused(decision.Refusal ?? "refused"));
            return;
        }
        var requester = Sender;
        Persist(contactEvent, persisted =>
        {
            var previous = ContactConcerned(persisted);
            book = book.Apply(persisted);
            requester.Tell(new ContactChangeAccepted(persisted, ContactConcerned(persisted), previous));
            Context.System.EventStream.Publish(persisted);
            TellContactSet();
            if (EventsSinceSnapshot >= settings.SnapshotEvery) TakeSnapshot();
        });
    }

    private void TellContactSet() =>
        listener?.Tell(new ContactSetChanged(book.All.Select(contact => Pype.Core.Identity.HashAddress.FromPublicKey(contact.PublicKey)).ToList()));

    private Contact? ContactConcerned(ContactEvent e) => e switch
    {
        ContactAdded a => book.FindByHash(a.HashHex),
        ContactRenamed r => book.FindByHash(r.HashHex),
        ContactRemoved r => book.FindByHash(r.HashHex),
        _ => null,
    };

    private void Flush()
    {
        if (EventsSinceSnapshot == 0 && !snapshotInFlight)
        {
            Sender.Tell(new SnapshotFlushed(false));
            return;
        }
        flushWaiters.Add(Sender);
        if (!snapshotInFlight) TakeSnapshot();
    }

    private void TakeSnapshot()
    {
        if (snapshotInFlight) return;
        snapshotInFlight = true;
        SaveSnapshot(new ContactsSnapshot(book.All.ToList()));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        snapshotInFlight = false;
        lastSnapshotSequenceNr = success.Metadata.SequenceNr;
        lastSnapshotAt = DateTimeOffset.UtcNow;
        // The snapshot holds everything up to its sequence number: older events and snapshots are dead weight.
        DeleteMessages(success.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
        AnswerFlushWaiters(true);
        if (EventsSinceSnapshot >= settings.SnapshotEvery) TakeSnapshot();
    }

    private void AnswerFlushWaiters(bool saved)
    {
        foreach (var waiter in flushWaiters) waiter.Tell(new SnapshotFlushed(saved));
        flushWaiters.Clear();
    }
}
