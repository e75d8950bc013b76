using CsCheck;
using Pype.Core.Identity;
using Pype.Core.Replication;
using Xunit;
using static Pype.Core.Tests.Replication.ReplicationFixtures;

namespace Pype.Core.Tests.Replication;

/// <summary>
/// Random offers of invites and callee-signed tombstones from six keys (one of them the node's),
/// mixed with contacts coming and going, into a small call list: whatever the order, the list stays
/// within its capacity and every quota, its per-signer counts match what it holds, and an accepted
/// item only ever displaces an item of no higher standing.
/// </summary>
public sealed class ReplicaQuotaPropertyTests
{
    private const int Capacity = 6;
    private const int Quota = 2;
    private static readonly IdentityKeyPair[] Keys = [.. Enumerable.Range(20, 6).Select(Peer)];
    private static readonly HashAddress Self = Keys[0].Hash;
    private static readonly CallListEntry[] Pool = BuildPool();

    private static readonly Gen<(int Action, int Index)[]> Steps = Gen.Select(Gen.Int[0, 9], Gen.Int[0, Pool.Length - 1]).Array[1, 40];

    [Fact]
    public void A_call_list_keeps_its_quotas_and_never_trades_an_item_for_one_of_lower_standing()
    {
        Steps.Sample(steps =>
        {
            var list = new CallListReplica(new CallListLimits { Capacity = Capacity, MaxEntriesPerSigner = Quota });
            list.TrustSelf(Self);
            foreach (var (action, index) in steps)
            {
                var key = Keys[index % Keys.Length].Hash;
                if (action == 8)
                    list.AddContact(key);
                else if (action == 9)
                    list.RemoveContact(key);
                else
                    OfferAndCheckDisplaced(list, Pool[index]);
                AssertConsistent(list);
            }
        }, iter: 300);
    }

    private static void OfferAndCheckDisplaced(CallListReplica list, CallListEntry entry)
    {
        var before = list.Entries.ToDictionary(held => held.Key, list.StandingOf);
        var standing = list.StandingOf(entry);
        var accepted = list.Offer(Now, entry).IsAccepted;
        var gone = before.Where(held => list.Lookup(held.Key) is null).ToList();
        if (!accepted)
        {
            Assert.Empty(gone);
            return;
        }

        Assert.True(gone.Count <= 1);
        Assert.All(gone, held => Assert.True(held.Value <= standing, $"a {standing} item displaced a {held.Value} one"));
    }

    private static void AssertConsistent(CallListReplica list)
    {
        var entries = list.Entries.ToList();
        Assert.True(entries.Count <= Capacity);
        Assert.All(entries.GroupBy(entry => entry.Signer), bySigner =>
        {
            Assert.True(bySigner.Count() <= Quota);
            Assert.Equal(bySigner.Count(), list.HeldBy(bySigner.Key));
        });
        Assert.Equal(entries.Select(entry => entry.Signer).Distinct().Count(), list.Store.SignersTracked);
        foreach (var standing in Enum.GetValues<ItemStanding>())
            Assert.Equal(entries.Count(entry => list.StandingOf(entry) == standing), list.Store.InStanding(standing));
    }

    private static CallListEntry[] BuildPool()
    {
        var entries = new List<CallListEntry>();
        foreach (var caller in Keys)
        {
            foreach (var callee in Keys.Where(key => key != caller))
            {
                for (var callId = 0; callId < 2; callId++)
                {
                    var invite = CallListEntry.Sign(caller, CallEntryKind.Invite, callee.Hash, caller.Hash, (UInt128)callId, Now, Now + CallListEntry.DefaultLifetime + TimeSpan.FromSeconds(callId), new byte[16]);
                    entries.Add(invite);
                    entries.Add(CallListEntry.CreateTombstone(callee, invite, CallEntryKind.Rejected));
                }
            }
        }

        return [.. entries];
    }
}
