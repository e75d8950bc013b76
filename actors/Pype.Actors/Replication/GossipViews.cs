using Pype.Actors.Node;
using Pype.Core.Diagnostics;
using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Actors.Replication;

/// <summary>How the gossip core's records, call entries and counters appear in the node's replies.</summary>
internal static class GossipViews
{
    public static RecordView? Of(AddressBookRecord? record) => record is null ? null
        : new RecordView(record.Hash.ToString(), PypeAddress.Encode(record.PublicKey.Span), record.Sequence, record.Expiry,
            record.Candidates.Select(c => c.ToString()).ToList());

    public static CallEntryView Of(CallListEntry entry) =>
        new(entry.CallId.ToString("x32"), entry.Caller.ToString(), entry.Callee.ToString(), entry.Kind.ToString().ToLowerInvariant(), entry.Created, entry.Expiry);

    public static GossipStatus StatusOf(GossipEngine engine, int unjournalled) => new(
        engine.AddressBook.Count, engine.CallList.Count, engine.Neighbours.Count, engine.MessagesSent, engine.BytesSent, engine.AntiEntropyRounds,
        Enum.GetValues<GossipDropReason>().Where(r => engine.DropCount(r) > 0).ToDictionary(r => r.ToString(), engine.DropCount), unjournalled,
        RefusedBy("address-book", engine.AddressBook.RejectedCount, engine.AddressBook.EvictedCount)
            .Concat(RefusedBy("call-list", engine.CallList.RejectedCount, engine.CallList.EvictedCount))
            .Where(count => count.Value > 0).ToDictionary());

    private static IEnumerable<KeyValuePair<string, long>> RefusedBy(string store, Func<RejectReason, long> rejected, long evicted) =>
        Enum.GetValues<RejectReason>().Select(reason => KeyValuePair.Create($"{store}-{DropNames.Kebab(reason)}", rejected(reason)))
            .Append(KeyValuePair.Create($"{store}-evicted", evicted));
}
