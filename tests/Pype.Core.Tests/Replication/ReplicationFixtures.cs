using System.Net;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Pype.Core.Session;

namespace Pype.Core.Tests.Replication;

/// <summary>Deterministic identities, a fixed clock and record builders for the replication tests.</summary>
internal static class ReplicationFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<int, IdentityKeyPair> Identities = [];

    public static IReadOnlyList<Candidate> Candidates { get; } =
    [
        new(CandidateKind.Host, new IPEndPoint(IPAddress.Parse("192.168.1.20"), 40000)),
        new(CandidateKind.ServerReflexive, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234)),
    ];

    /// <summary>The same key pair for the same number, in every test run.</summary>
    public static IdentityKeyPair Peer(int number)
    {
        lock (Identities)
        {
            if (!Identities.TryGetValue(number, out var identity))
            {
                var seed = new byte[IdentityKeyPair.SeedLength];
                BitConverter.TryWriteBytes(seed, number);
                seed[31] = 0x5e;
                identity = IdentityKeyPair.FromSeed(seed);
                Identities.Add(number, identity);
            }

            return identity;
        }
    }

    public static AddressBookRecord Record(
        int owner,
        ulong sequence = 1,
        TimeSpan? lifetime = null,
        byte[]? metadata = null) =>
        AddressBookRecord.Create(Peer(owner), sequence, Now + (lifetime ?? TimeSpan.FromHours(1)), Candidates, metadata ?? "alice"u8);

    public static AddressBookReplica BookOf(IEnumerable<AddressBookRecord> records)
    {
        var book = new AddressBookReplica();
        foreach (var record in records)
        {
            book.Offer(Now, record);
        }

        return book;
    }

    /// <summary>The replica's content as comparable text: one line per key with its encoding.</summary>
    public static string ContentOf(AddressBookReplica book) =>
        string.Join("\n", book.Records.Select(r => Convert.ToHexString(r.Encoded.Span)).Order(StringComparer.Ordinal));

    public static string ContentOf(CallListReplica list) =>
        string.Join("\n", list.Entries.Select(e => Convert.ToHexString(e.Encoded.Span)).Order(StringComparer.Ordinal));

    public static CallListEntry Invite(int caller, int callee, UInt128 callId, byte[]? offer = null) =>
        CallListEntry.CreateInvite(Peer(caller), Peer(callee).PublicKey.Span, callId, offer ?? "v=0 offer"u8, Now, CallListEntry.DefaultLifetime);
}
