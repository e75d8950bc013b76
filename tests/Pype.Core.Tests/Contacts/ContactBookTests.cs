using Pype.Core.Contacts;
using Xunit;

namespace Pype.Core.Tests.Contacts;

public class ContactBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private const string Own = "00000000000000000000000000000000000000000000000000000000000000aa";

    private static (byte[] Key, string Hash) Person(byte seed)
    {
        var key = Enumerable.Repeat(seed, 32).ToArray();
        return (key, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key)));
    }

    private static ContactBook With(params (byte Seed, string Name)[] people) =>
        people.Aggregate(ContactBook.Empty, (book, p) =>
        {
            var (key, hash) = Person(p.Seed);
            return book.Apply(book.DecideAdd(key, hash, p.Name, Own, Now).Event!);
        });

    [Fact]
    public void Added_contact_is_found_by_name_hash_and_hash_prefix()
    {
        var book = With((1, "alice"));
        var hash = Person(1).Hash;
        Assert.Equal("alice", book.FindByName("ALICE")!.Name);
        Assert.Equal("alice", book.FindByHash(hash)!.Name);
        Assert.Equal("alice", book.Find(hash[..8])!.Name);
        Assert.Null(book.Find(hash[..7]));
    }

    [Fact]
    public void Contact_without_a_name_gets_one_from_its_hash()
    {
        var (key, hash) = Person(2);
        var decision = ContactBook.Empty.DecideAdd(key, hash, null, Own, Now);
        Assert.Equal("peer-" + hash[..8], ((ContactAdded)decision.Event!).Name);
    }

    [Fact]
    public void Adding_your_own_key_is_refused()
    {
        var (key, _) = Person(3);
        var decision = ContactBook.Empty.DecideAdd(key, Own, "me", Own, Now);
        Assert.Null(decision.Event);
        Assert.Contains("your own", decision.Refusal);
    }

    [Fact]
    public void Same_key_twice_is_refused_and_names_the_existing_contact()
    {
        var book = With((1, "alice"));
        var (key, hash) = Person(1);
        Assert.Contains("'alice'", book.DecideAdd(key, hash, "other", Own, Now).Refusal);
    }

    [Fact]
    public void Taken_name_is_refused_whatever_its_case()
    {
        var book = With((1, "alice"));
        var (key, hash) = Person(2);
        Assert.Contains("already taken", book.DecideAdd(key, hash, "Alice", Own, Now).Refusal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("waytoolongnamewaytoolongnamewaytoolongname")]
    public void Unusable_names_are_refused(string name) => Assert.NotNull(ContactBook.ValidateName(name));

    [Fact]
    public void Rename_moves_the_contact_to_its_new_name()
    {
        var book = With((1, "alice"));
        book = book.Apply(book.DecideRename("alice", "ally").Event!);
        Assert.Null(book.FindByName("alice"));
        Assert.Equal(Person(1).Hash, book.FindByName("ally")!.HashHex);
    }

    [Fact]
    public void Rename_to_a_name_someone_else_holds_is_refused()
    {
        var book = With((1, "alice"), (2, "bob"));
        Assert.NotNull(book.DecideRename("alice", "bob").Refusal);
    }

    [Fact]
    public void Remove_of_unknown_name_is_refused_and_known_one_is_gone()
    {
        var book = With((1, "alice"));
        Assert.NotNull(book.DecideRemove("bob").Refusal);
        book = book.Apply(book.DecideRemove("alice").Event!);
        Assert.Equal(0, book.Count);
    }

    [Fact]
    public void Replaying_the_same_events_gives_the_same_book()
    {
        var (k1, h1) = Person(1);
        var (k2, h2) = Person(2);
        ContactEvent[] events =
        [
            new ContactAdded("alice", k1, h1, Now),
            new ContactAdded("bob", k2, h2, Now),
            new ContactRenamed(h1, "ally"),
            new ContactRemoved(h2),
            new ContactRemoved(h2),
        ];
        var once = events.Aggregate(ContactBook.Empty, (b, e) => b.Apply(e));
        var snapshotThenReplay = ContactBook.FromContacts(once.All);
        Assert.Equal(once.All.Select(c => (c.Name, c.HashHex)), snapshotThenReplay.All.Select(c => (c.Name, c.HashHex)));
        Assert.Equal(["ally"], once.All.Select(c => c.Name));
    }
}
