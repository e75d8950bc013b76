using System.Net;
using Pype.Core.Session;

namespace Pype.Core.Seed;

/// <summary>
/// What the node tells the seed about itself (its signed presence) and what the seed hands back:
/// the registration, introductions to peers and relay grants. Kept apart from the session
/// handling in SeedClient.cs.
/// </summary>
public sealed partial class SeedClient
{
    private IPEndPoint? _relayed;
    private bool _relayGrantSinceRegister;
    private DateTimeOffset? _relayGrantDueBy;
    private int _relayGrantRetries;

    /// <summary>Our relayed address (TURN), published with the other candidates; null when there is none.</summary>
    public IPEndPoint? RelayedCandidate => _relayed;

    /// <summary>
    /// Adds (or, with null, removes) our relayed candidate and, when registered, tells the seed at
    /// once with a fresh presence, so introductions made from now on carry it.
    /// </summary>
    public void SetRelayedCandidate(DateTimeOffset now, IPEndPoint? relayed)
    {
        if (Equals(relayed, _relayed))
            return;
        _relayed = relayed;
        if (!IsRegistered)
            return;
        _relayGrantRetries = 0;
        SendRegister(now);
    }

    /// <summary>
    /// Asks the seed for fresh relay credentials now: the seed answers every registration with a
    /// grant, so this registers again. For a node whose TURN servers all refused the credentials
    /// it holds. False when not registered (the registration to come brings a grant anyway).
    /// </summary>
    public bool RequestRelayGrant(DateTimeOffset now)
    {
        if (!IsRegistered)
            return false;
        _relayGrantRetries = 0;
        SendRegister(now);
        return true;
    }

    private void SendRegister(DateTimeOffset now)
    {
        var candidates = _options.HostCandidates.ToList();
        if (_stunMapped is { } mapped && !candidates.Any(c => c.EndPoint.Equals(mapped)))
            candidates.Add(new Candidate(CandidateKind.ServerReflexive, mapped));
        // The relayed candidate goes last: it is the one peers try last.
        if (_relayed is { } relayed && candidates.Count < CandidateCodec.MaxCandidates)
            candidates.Add(new Candidate(CandidateKind.Relayed, relayed));
        Send(new SeedRegister(SignedPresence.Create(_options.Identity, now, candidates)));
        _relayGrantSinceRegister = false;
        if (_phase == SeedClientPhase.Registering)
        {
            _nextRegisterAt = now + _backoff;
            _backoff = TimeSpan.FromTicks(Math.Min((_backoff * 2).Ticks, _options.HandshakeMaxBackoff.Ticks));
        }
    }

    private void HandleRegistered(DateTimeOffset now, SeedRegistered registered)
    {
        if (_phase is not (SeedClientPhase.Registering or SeedClientPhase.Registered))
        {
            Drops.Count(SeedClientDrop.MessageUnexpected);
            return;
        }
        var seedInterval = TimeSpan.FromSeconds(registered.KeepaliveIntervalSeconds);
        _keepaliveInterval = seedInterval < _options.KeepaliveInterval ? seedInterval : _options.KeepaliveInterval;
        var changed = _phase == SeedClientPhase.Registering || !registered.ObservedEndPoint.Equals(_serverReflexive);
        if (_phase == SeedClientPhase.Registering)
        {
            _phase = SeedClientPhase.Registered;
            _nextRegisterAt = null;
            _nextKeepaliveAt = now + _keepaliveInterval;
        }
        _serverReflexive = registered.ObservedEndPoint;
        // The grant may have overtaken this answer; otherwise it is due within a few round trips.
        if (registered.RelayGrantFollows && !_relayGrantSinceRegister)
            _relayGrantDueBy ??= now + _options.RelayGrantWait;
        if (changed)
            _events.Enqueue(new SeedRegisteredEvent(CurrentSeed, registered.ObservedEndPoint));
    }

    private void HandleIntroduction(DateTimeOffset now, SeedIntroduction introduction)
    {
        // Acked even when repeated or unusable: it arrived, so the seed can stop resending it.
        Send(new SeedIntroductionAck(introduction.IntroductionId));
        switch (introduction.Presence.Verify(now, _options.IntroductionMaxAge, _options.IntroductionMaxFutureSkew))
        {
            case PresenceVerdict.BadSignature:
                Drops.Count(SeedClientDrop.IntroductionBadSignature);
                return;
            case PresenceVerdict.Stale:
                Drops.Count(SeedClientDrop.IntroductionStale);
                return;
            case PresenceVerdict.FromTheFuture:
                Drops.Count(SeedClientDrop.IntroductionFromTheFuture);
                return;
        }
        if (!_seenIntroductions.Add(introduction.IntroductionId))
            return;
        _seenIntroductionOrder.Enqueue(introduction.IntroductionId);
        if (_seenIntroductionOrder.Count > RememberedIntroductions)
            _seenIntroductions.Remove(_seenIntroductionOrder.Dequeue());
        var observed = introduction.Observed.FirstOrDefault(c => c.Kind == CandidateKind.ServerReflexive)?.EndPoint;
        _events.Enqueue(new IntroductionReceived(introduction.Presence, observed));
    }

    private void HandleRelayGrant(SeedRelayGrant grant)
    {
        // It follows SeedRegistered on the wire but may overtake it; both come from the pinned seed.
        if (_phase is not (SeedClientPhase.Registering or SeedClientPhase.Registered))
        {
            Drops.Count(SeedClientDrop.MessageUnexpected);
            return;
        }
        _relayGrantSinceRegister = true;
        _relayGrantDueBy = null;
        _relayGrantRetries = 0;
        _events.Enqueue(new RelayGrantReceived(grant));
    }

    /// <summary>
    /// The seed said a grant came with its answer and none arrived: it was lost. Registering again
    /// is the one request the seed answers with a grant; a few tries, then the next rekey's
    /// registration tries again, so a seed that keeps promising and never sends costs little.
    /// </summary>
    private void AskAgainForLostGrant(DateTimeOffset now)
    {
        _relayGrantDueBy = null;
        if (_relayGrantRetries >= _options.RelayGrantRetries)
            return;
        _relayGrantRetries++;
        SendRegister(now);
    }

    private void ResetRelayGrantWait()
    {
        _relayGrantSinceRegister = false;
        _relayGrantDueBy = null;
        _relayGrantRetries = 0;
    }
}
