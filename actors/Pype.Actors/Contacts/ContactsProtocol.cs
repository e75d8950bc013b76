using Pype.Core.Contacts;

namespace Pype.Actors.Contacts;

/// <summary>Messages the ContactsActor understands.</summary>
public interface IContactsCommand;

public sealed record AddContactCommand(byte[] PublicKey, string HashHex, string? Name, string OwnHashHex) : IContactsCommand;
public sealed record RenameContactCommand(string NameOrHash, string NewName) : IContactsCommand;
public sealed record RemoveContactCommand(string NameOrHash) : IContactsCommand;
public sealed record GetContacts : IContactsCommand
{
    public static readonly GetContacts Instance = new();
}
public sealed record GetContactsStatus : IContactsCommand
{
    public static readonly GetContactsStatus Instance = new();
}
/// <summary>Saves a snapshot now if anything changed since the last one; answered with <see cref="SnapshotFlushed"/>.</summary>
public sealed record FlushSnapshot : IContactsCommand
{
    public static readonly FlushSnapshot Instance = new();
}

/// <summary>Replies: a change was journalled (the command is acknowledged only after that).</summary>
public sealed record ContactChangeAccepted(ContactEvent Event, Contact? Contact, Contact? Previous);
public sealed record ContactChangeRefused(string Reason);
public sealed record ContactsListing(IReadOnlyList<Contact> Contacts);
public sealed record ContactsStatus(int Count, long LastSequenceNr, long EventsSinceSnapshot, DateTimeOffset? LastSnapshotAt);
public sealed record SnapshotFlushed(bool Saved);

/// <summary>
/// The contacts' hashes, told to the actor given to <c>ContactsActor.Props</c> once recovered and
/// after every change: calls from contacts are kept before strangers' (docs/protocol/calls.md).
/// </summary>
public sealed record ContactSetChanged(IReadOnlyList<Pype.Core.Identity.HashAddress> Contacts);

/// <summary>What the snapshot store holds for the contact list.</summary>
public sealed record ContactsSnapshot(IReadOnlyList<Contact> Contacts);
