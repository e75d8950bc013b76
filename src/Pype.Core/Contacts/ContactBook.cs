using System.Collections.Immutable;

namespace Pype.Core.Contacts;

/// <summary>One person the user has added, known by their public key.</summary>
public sealed record Contact(string Name, string HashHex, byte[] PublicKey, DateTimeOffset AddedAt);

/// <summary>Something that happened to the contact list; the unit the journal stores.</summary>
public abstract record ContactEvent;
public sealed record ContactAdded(string Name, byte[] PublicKey, string HashHex, DateTimeOffset AddedAt) : ContactEvent;
public sealed record ContactRenamed(string HashHex, string NewName) : ContactEvent;
public sealed record ContactRemoved(string HashHex) : ContactEvent;

/// <summary>
/// The user's own contacts: an immutable value that validates commands into events and folds
/// events into a new book. Names are unique (case-insensitively) so a user can address a contact
/// by name in the console; keys are unique so the same person is never listed twice.
/// </summary>
public sealed class ContactBook
{
    public const int MaxNameLength = 32;
    public const int MaxContacts = 10_000;

    public static readonly ContactBook Empty = new(ImmutableSortedDictionary.Create<string, Contact>(StringComparer.OrdinalIgnoreCase));

    private readonly ImmutableSortedDictionary<string, Contact> byName;

    private ContactBook(ImmutableSortedDictionary<string, Contact> byName) => this.byName = byName;

    public int Count => byName.Count;

    public IEnumerable<Contact> All => byName.Values;

    public Contact? FindByName(string name) => byName.GetValueOrDefault(name);

    public Contact? FindByHash(string hashHex) =>
        byName.Values.FirstOrDefault(c => string.Equals(c.HashHex, hashHex, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds a contact by exact name, by full hash, or by a unique hash prefix of at least 8 hex digits.</summary>
    public Contact? Find(string nameOrHash)
    {
        if (FindByName(nameOrHash) is { } byExactName) return byExactName;
        if (nameOrHash.Length < 8 || !nameOrHash.All(Uri.IsHexDigit)) return null;
        var matches = byName.Values.Where(c => c.HashHex.StartsWith(nameOrHash, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    public ContactDecision DecideAdd(byte[] publicKey, string hashHex, string? requestedName, string ownHashHex, DateTimeOffset now)
    {
        if (string.Equals(hashHex, ownHashHex, StringComparison.OrdinalIgnoreCase))
            return ContactDecision.Refuse("that is your own address");
        if (FindByHash(hashHex) is { } existing)
            return ContactDecision.Refuse($"this key is already in your contacts as '{existing.Name}'");
        if (Count >= MaxContacts)
            return ContactDecision.Refuse($"the contact list is full ({MaxContacts} contacts)");
        var name = requestedName ?? DefaultNameFor(hashHex);
        if (ValidateName(name) is { } nameProblem) return ContactDecision.Refuse(nameProblem);
        if (FindByName(name) is not null) return ContactDecision.Refuse($"the name '{name}' is already taken");
        return ContactDecision.Accept(new ContactAdded(name, publicKey, hashHex.ToLowerInvariant(), now));
    }

    public ContactDecision DecideRename(string nameOrHash, string newName)
    {
        if (Find(nameOrHash) is not { } contact) return ContactDecision.Refuse($"no contact named '{nameOrHash}'");
        if (ValidateName(newName) is { } nameProblem) return ContactDecision.Refuse(nameProblem);
        if (FindByName(newName) is { } holder && holder.HashHex != contact.HashHex)
            return ContactDecision.Refuse($"the name '{newName}' is already taken");
        return ContactDecision.Accept(new ContactRenamed(contact.HashHex, newName));
    }

    public ContactDecision DecideRemove(string nameOrHash) =>
        Find(nameOrHash) is { } contact
            ? ContactDecision.Accept(new ContactRemoved(contact.HashHex))
            : ContactDecision.Refuse($"no contact named '{nameOrHash}'");

    /// <summary>Folds an event into the book. Events come from our own journal, so an event that no
    /// longer applies (say, a removal of an unknown key) is ignored rather than failing recovery.</summary>
    public ContactBook Apply(ContactEvent contactEvent) => contactEvent switch
    {
        ContactAdded added when FindByHash(added.HashHex) is null =>
            new(byName.SetItem(added.Name, new Contact(added.Name, added.HashHex, added.PublicKey, added.AddedAt))),
        ContactRenamed renamed when FindByHash(renamed.HashHex) is { } contact =>
            new(byName.Remove(contact.Name).SetItem(renamed.NewName, contact with { Name = renamed.NewName })),
        ContactRemoved removed when FindByHash(removed.HashHex) is { } contact =>
            new(byName.Remove(contact.Name)),
        _ => this,
    };

    public static ContactBook FromContacts(IEnumerable<Contact> contacts) =>
        contacts.Aggregate(Empty, (book, c) => book.Apply(new ContactAdded(c.Name, c.PublicKey, c.HashHex, c.AddedAt)));

    /// <summary>Returns why a name is unusable, or null when it is fine. Names are one word so the
    /// console can parse <c>remove NAME</c> without quoting rules.</summary>
    public static string? ValidateName(string name)
    {
        if (name.Length == 0) return "a contact name cannot be empty";
        if (name.Length > MaxNameLength) return $"a contact name has at most {MaxNameLength} characters";
        if (!char.IsLetter(name[0])) return "a contact name starts with a letter";
        foreach (var c in name)
            if (!(char.IsLetterOrDigit(c) || c is '-' or '_' or '.'))
                return $"a contact name may hold letters, digits, '-', '_' and '.', not '{c}'";
        return null;
    }

    public static string DefaultNameFor(string hashHex) => "peer-" + hashHex[..8].ToLowerInvariant();
}

/// <summary>The answer to a command: the event to persist, or why the command is refused.</summary>
public sealed record ContactDecision(ContactEvent? Event, string? Refusal)
{
    public static ContactDecision Accept(ContactEvent e) => new(e, null);
    public static ContactDecision Refuse(string reason) => new(null, reason);
}
