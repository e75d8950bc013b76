using System.Net;
using Pype.Core.Diagnostics;
using Pype.Core.Session;

namespace Pype.Core.Seed;

/// <summary>
/// Introductions: both halves sent at once and resent until acknowledged, within the caps that
/// keep one peer from filling the table (per asker) and a crowd of askers from flooding one
/// peer with probes to make (per target, pending and per second).
/// </summary>
public sealed partial class SeedServer
{
    /// <summary>
    /// Room for <paramref name="count"/> more introductions: in all, for this asker, and for the
    /// <paramref name="target"/> it asked for (registered here; null when it is at another seed),
    /// within both its pending share and its rate. Counted when not.
    /// </summary>
    private bool HasRoomForIntroductions(DateTimeOffset now, PeerKey askedBy, int count, RegisteredPeer? target)
    {
        if (_introductions.Count + count > _options.MaxPendingIntroductions)
        {
            Drops.Count(SeedServerDrop.PendingIntroductionsFull);
            return false;
        }
        if (_pendingByAsker.GetValueOrDefault(askedBy) + count > _options.MaxPendingIntroductionsPerAsker)
        {
            Drops.Count(SeedServerDrop.PendingIntroductionsPerAskerFull);
            return false;
        }
        if (target is not null && _pendingByRecipient.GetValueOrDefault(target.Key) >= _options.MaxPendingIntroductionsPerTarget)
        {
            Drops.Count(SeedServerDrop.PendingIntroductionsPerTargetFull);
            return false;
        }
        if (target is not null && !(target.IntroductionBudget ??= new TokenBucket(_options.IntroductionsPerTargetPerSecond, _options.IntroductionsPerTargetBurst, now)).TryTake(now))
        {
            Drops.Count(SeedServerDrop.IntroductionsPerTargetRateLimited);
            return false;
        }
        return true;
    }

    private void Introduce(DateTimeOffset now, PeerKey recipient, SignedPresence about, IPEndPoint? aboutObserved, PeerKey askedBy)
    {
        var id = NewIntroductionId();
        IReadOnlyList<Candidate> observed = aboutObserved is not null && SeedMessageCodec.IsEncodable(aboutObserved)
            ? [new Candidate(CandidateKind.ServerReflexive, aboutObserved)]
            : [];
        var plaintext = SeedMessageCodec.Encode(new SeedIntroduction(id, about, observed));
        var pending = new PendingIntroduction(id, recipient, plaintext, askedBy);
        _introductions[id] = pending;
        _pendingByAsker[askedBy] = _pendingByAsker.GetValueOrDefault(askedBy) + 1;
        _pendingByRecipient[recipient] = _pendingByRecipient.GetValueOrDefault(recipient) + 1;
        Resend(now, pending);
    }

    private void Resend(DateTimeOffset now, PendingIntroduction pending)
    {
        if (pending.Attempts >= _options.IntroductionMaxAttempts || !_registry.TryGet(pending.Recipient, out var recipient))
        {
            RemoveIntroduction(pending);
            IntroductionsAbandoned++;
            _events.Enqueue(new IntroductionAbandoned(pending.Recipient, pending.Id));
            return;
        }
        pending.Attempts++;
        SendPlaintext(recipient.Session, pending.Plaintext);
        _introductionResends.Enqueue(pending.Id, now + _options.IntroductionRetryInterval);
    }

    private void HandleIntroductionAck(SeedPeerSession session, uint introductionId)
    {
        // Only the recipient may stop an introduction, so one peer cannot cancel another's.
        if (!_introductions.TryGetValue(introductionId, out var pending)
            || session.Registration is not { } registration || !registration.Key.Equals(pending.Recipient))
        {
            Drops.Count(SeedServerDrop.UnknownIntroduction);
            return;
        }
        RemoveIntroduction(pending);
    }

    private void RemoveIntroduction(PendingIntroduction pending)
    {
        _introductions.Remove(pending.Id);
        Release(_pendingByAsker, pending.AskedBy);
        Release(_pendingByRecipient, pending.Recipient);
    }

    private static void Release(Dictionary<PeerKey, int> pendingBy, PeerKey key)
    {
        if (pendingBy.GetValueOrDefault(key) <= 1) pendingBy.Remove(key);
        else pendingBy[key]--;
    }
}
