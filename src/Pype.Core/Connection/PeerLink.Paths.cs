using System.Net;
using Pype.Core.Noise;
using Pype.Core.Session;

namespace Pype.Core.Connection;

/// <summary>
/// Punching and path choice: which candidates are probed when, which authenticated packet
/// connects the link, and when a later one moves the path (docs/protocol/connection.md §2, §5).
/// Kept apart from the session handling in PeerLink.cs.
/// </summary>
public sealed partial class PeerLink
{
    /// <summary>After connecting over a relay, direct candidates are still probed until the punch timeout.</summary>
    private bool _upgradeProbing;

    /// <summary>When an authenticated packet last came over a direct (unrelayed) path.</summary>
    private DateTimeOffset _lastDirectAt;

    /// <summary>After a new introduction of a connected peer: every candidate, relayed ones included, is probed until then.</summary>
    private DateTimeOffset? _reprobeUntil;

    private bool Probing => _upgradeProbing || _reprobeUntil is not null;

    /// <summary>While punching: whether the relayed candidates have had their first initiation.</summary>
    private bool _relayedJoined;

    /// <summary>
    /// When the relayed candidates join the punching: exactly <see cref="PeerLinkOptions.RelayedCandidateDelay"/>
    /// after <see cref="Start"/>, not at the first regular round after it (1.2 s with the default
    /// doubling), so a pair that cannot punch is relayed about one relay round trip after the delay.
    /// </summary>
    private DateTimeOffset? RelayedJoinAt =>
        State == PeerLinkState.Punching && !_relayedJoined && _relayedTargets.Count > 0 ? _startedAt + _options.RelayedCandidateDelay : null;

    internal int TargetCount => _targets.Count + _relayedTargets.Count;

    /// <summary>No silence re-probing before this (one round per two punch timeouts while the silence lasts).</summary>
    private DateTimeOffset? _silenceReprobeAllowedAt;

    /// <summary>When data went out after the last authenticated packet and the silence has lasted <see cref="PeerLinkOptions.SilenceBeforeReprobe"/>.</summary>
    private DateTimeOffset? SilenceReprobeAt =>
        State == PeerLinkState.Connected && !Probing && _options.SilenceBeforeReprobe is { } silence
            && _lastDataSentAt is { } sent && sent > _lastReceivedAt
            ? Latest(_lastReceivedAt + silence, _silenceReprobeAllowedAt)
            : null;

    /// <summary>
    /// Data went out since the last direct packet and nothing direct has come back for
    /// <see cref="PeerLinkOptions.SilenceBeforeReprobe"/>. Not tied to our own re-probing: the peer
    /// may move first, and then its relayed packets keep us from ever falling silent.
    /// </summary>
    private bool DirectPathPresumedDead(DateTimeOffset now) =>
        _options.SilenceBeforeReprobe is { } silence && now - _lastDirectAt >= silence && _lastDataSentAt > _lastDirectAt;

    private void ReprobeAfterSilence(DateTimeOffset now)
    {
        _silenceReprobeAllowedAt = now + _options.PunchTimeout * 2;
        BeginReprobing(now);
    }

    /// <summary>Every candidate, relayed ones included, is probed in rounds for up to the punch timeout, the first round now.</summary>
    private void BeginReprobing(DateTimeOffset now)
    {
        _reprobeUntil = now + _options.PunchTimeout;
        _probeGap = _options.ProbeInterval;
        SendProbeRound(now);
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset? b) => b is { } later && later > a ? later : a;

    /// <summary>Begins punching: one initiation to every direct remote candidate now, fresh ones each probe round; relayed candidates join the rounds after <see cref="PeerLinkOptions.RelayedCandidateDelay"/>.</summary>
    /// <exception cref="InvalidOperationException">The link is already punching or connected.</exception>
    public void Start(DateTimeOffset now, IReadOnlyList<Candidate> remoteCandidates)
    {
        _now = Later(_now, now);
        if (State is PeerLinkState.Punching or PeerLinkState.Connected)
            throw new InvalidOperationException($"A {State} link cannot start again.");
        ResetSessions();
        _targets.Clear();
        _relayedTargets.Clear();
        foreach (var candidate in remoteCandidates)
        {
            var list = candidate.Kind == CandidateKind.Relayed ? _relayedTargets : _targets;
            if (!_targets.Exists(t => t.EndPoint.Equals(candidate.EndPoint)) && !_relayedTargets.Exists(t => t.EndPoint.Equals(candidate.EndPoint)))
                list.Add(candidate);
        }
        State = PeerLinkState.Punching;
        _startedAt = now;
        _relayedJoined = false;
        _probeGap = _options.ProbeInterval;
        ConnectedAt = null;
        ActivePath = null;
        ActivePathViaRelay = false;
        ActivePathKind = null;
        _pathChallenges.Clear();
        SendProbeRound(now);
    }

    /// <summary>
    /// A new introduction of this link's peer. Connected: typically one side's relay was replaced
    /// (a TURN server restarted) and the path through the old one is dead. The relayed candidates
    /// are replaced by the fresh ones, new direct ones are added, and every candidate is probed in
    /// rounds for up to <see cref="PeerLinkOptions.PunchTimeout"/> while the sessions carry on; the
    /// first handshake answered ends the probing, and its path takes over as any authenticated
    /// packet's does. Punching: one side's relay appeared after the link started, so the fresh
    /// candidates join the running rounds (relayed ones no earlier than their delay) and are
    /// probed at once; the punch timeout still counts from the start. Ignored in any other state.
    /// </summary>
    public void Reintroduce(DateTimeOffset now, IReadOnlyList<Candidate> remoteCandidates)
    {
        _now = Later(_now, now);
        if (State is not (PeerLinkState.Connected or PeerLinkState.Punching))
            return;
        var relayedBefore = _relayedTargets.ToList();
        // A connected link's old relayed path is the one presumed dead; a punching link keeps
        // every candidate it has, as an introduction a moment older may still name a live one.
        if (State == PeerLinkState.Connected)
            _relayedTargets.Clear();
        var fresh = new List<Candidate>();
        foreach (var candidate in remoteCandidates)
        {
            if (IsTarget(candidate.EndPoint))
                continue;
            (candidate.Kind == CandidateKind.Relayed ? _relayedTargets : _targets).Add(candidate);
            if (!relayedBefore.Exists(t => t.EndPoint.Equals(candidate.EndPoint)))
                fresh.Add(candidate);
        }
        // Every introduction may name new addresses (a NAT that rebinds): the oldest go first.
        if (_targets.Count > PeerLinkOptions.MaxDirectTargets)
            _targets.RemoveRange(0, _targets.Count - PeerLinkOptions.MaxDirectTargets);
        if (State == PeerLinkState.Connected)
            BeginReprobing(now);
        else if (fresh.Count > 0)
            ProbeFreshTargets(now, fresh);
    }

    /// <summary>
    /// While punching: the candidates a later introduction added get an initiation now rather than
    /// at the next round, which may be half a second away; relayed ones only once their delay is
    /// over (until then <see cref="RelayedJoinAt"/> brings them in).
    /// </summary>
    private void ProbeFreshTargets(DateTimeOffset now, List<Candidate> fresh)
    {
        var relayedDue = _relayedJoined || now >= _startedAt + _options.RelayedCandidateDelay;
        var due = fresh.Where(c => (c.Kind != CandidateKind.Relayed || relayedDue) && IsTarget(c.EndPoint)).ToList();
        if (due.Count == 0)
            return;
        if (relayedDue)
            _relayedJoined = true;
        var initiator = NewInitiator(now);
        foreach (var target in due)
            Transmit(now, target.EndPoint, initiator.InitiationPacket);
    }

    /// <summary>
    /// A handshake the node's responder accepted from this link's peer: answers it towards
    /// <paramref name="source"/> (through our relay when it came through it) and holds the session
    /// until the peer sends on it.
    /// </summary>
    public void HandleAcceptedHandshake(DateTimeOffset now, IPEndPoint source, HandshakeAcceptance accepted, bool viaRelay = false)
    {
        _now = Later(_now, now);
        if (State is not (PeerLinkState.Punching or PeerLinkState.Connected))
        {
            Drops.Add(LinkDropReason.LinkInactive);
            return;
        }
        if (!accepted.Session.RemoteStaticPublicKey.SequenceEqual(_remoteStatic))
        {
            Drops.Add(LinkDropReason.WrongPeer);
            return;
        }
        if (OwnsIndex(accepted.Session.LocalIndex))
        {
            Drops.Add(LinkDropReason.IndexInUse);
            return;
        }
        _sessions.Add(accepted.Session, leaderInitiated: !_weLead, now);
        Transmit(now, source, accepted.ResponsePacket, viaRelay);
        // A relayed source is where the peer's NAT mapped its packets to our relay; probing it
        // directly would open nothing, so only direct sources become peer-reflexive targets.
        if (State == PeerLinkState.Punching && !viaRelay && !IsTarget(source))
            _targets.Add(new Candidate(CandidateKind.PeerReflexive, source));
    }

    /// <summary>
    /// Any authenticated packet: the first connects the link; one from another address makes the
    /// link challenge that address, and the path moves there only when the answer comes back from
    /// it (<see cref="AcceptPathResponse"/>). A direct path always replaces a relayed one; a
    /// relayed one replaces a direct one only once the direct path has been silent for
    /// <see cref="PeerLinkOptions.DirectPathHold"/>, so stragglers through a relay do not pull a
    /// working direct path back onto it.
    /// </summary>
    private void Authenticated(DateTimeOffset now, IPEndPoint source, bool viaRelay)
    {
        _lastReceivedAt = now;
        var kind = KindOf(source, viaRelay);
        var relayed = kind == CandidateKind.Relayed;
        if (!relayed)
            _lastDirectAt = now;
        if (State == PeerLinkState.Punching)
        {
            State = PeerLinkState.Connected;
            ConnectedAt = now;
            SetPath(source, viaRelay, kind);
            _pings.Restart(now);
            _lastSentAt = now;
            _upgradeProbing = relayed && _targets.Count > 0 && now < _startedAt + _options.PunchTimeout;
            if (!_upgradeProbing)
            {
                _nextProbeAt = null;
                _initiators.Clear();
            }
            _events.Enqueue(new PeerLinkEvent.Connected(source, kind, now - _startedAt));
            return;
        }
        if (source.Equals(ActivePath) && viaRelay == ActivePathViaRelay)
            return;
        if (MayMoveTo(relayed, now))
            ChallengePath(now, source, viaRelay);
    }

    private bool MayMoveTo(bool relayed, DateTimeOffset now) =>
        !relayed || ActivePathKind == CandidateKind.Relayed || now - _lastDirectAt >= _options.EffectiveDirectPathHold
        || DirectPathPresumedDead(now);

    /// <summary>The challenged address answered: the path moves there, unless the relay rule of <see cref="Authenticated"/> now says otherwise.</summary>
    private void MovePath(DateTimeOffset now, IPEndPoint source, bool viaRelay)
    {
        var kind = KindOf(source, viaRelay);
        var relayed = kind == CandidateKind.Relayed;
        if ((source.Equals(ActivePath) && viaRelay == ActivePathViaRelay) || !MayMoveTo(relayed, now))
            return;
        var from = ActivePath!;
        SetPath(source, viaRelay, kind);
        _pathChallenges.Clear();
        // A move while re-probing is the answer the probing was for.
        StopReprobing();
        if (!relayed)
        {
            _upgradeProbing = false;
            _nextProbeAt = null;
        }
        _events.Enqueue(new PeerLinkEvent.PathChanged(from, source, kind));
    }

    private void SetPath(IPEndPoint source, bool viaRelay, CandidateKind kind)
    {
        ActivePath = source;
        ActivePathViaRelay = viaRelay;
        ActivePathKind = kind;
    }

    /// <summary>Through our relay, or to one of the peer's relayed candidates, is relayed; else the probed candidate's kind, else peer-reflexive.</summary>
    private CandidateKind KindOf(IPEndPoint source, bool viaRelay) =>
        viaRelay ? CandidateKind.Relayed
        : _relayedTargets.Exists(t => t.EndPoint.Equals(source)) ? CandidateKind.Relayed
        : _targets.Find(t => t.EndPoint.Equals(source))?.Kind ?? CandidateKind.PeerReflexive;

    private bool IsTarget(IPEndPoint endPoint) =>
        _targets.Exists(t => t.EndPoint.Equals(endPoint)) || _relayedTargets.Exists(t => t.EndPoint.Equals(endPoint));

    private void SendProbeRound(DateTimeOffset now)
    {
        var initiator = NewInitiator(now);
        foreach (var target in _targets)
            Transmit(now, target.EndPoint, initiator.InitiationPacket);
        // Relayed candidates cost the relay's bandwidth and a longer route: direct ones get a head start.
        if ((State == PeerLinkState.Punching && now >= _startedAt + _options.RelayedCandidateDelay) || _reprobeUntil is not null)
        {
            _relayedJoined = true;
            foreach (var target in _relayedTargets)
                Transmit(now, target.EndPoint, initiator.InitiationPacket);
        }
        _nextProbeAt = now + _probeGap;
        _probeGap = Min(_probeGap * 2, _options.MaxProbeInterval);
    }

    /// <summary>The relayed candidates' first initiation, when their delay ends between two rounds; the direct rounds keep their pace.</summary>
    private void ProbeRelayedCandidates(DateTimeOffset now)
    {
        _relayedJoined = true;
        var initiator = NewInitiator(now);
        foreach (var target in _relayedTargets)
            Transmit(now, target.EndPoint, initiator.InitiationPacket);
    }

    /// <summary>
    /// While connected over a relay within the punch timeout, direct candidates keep being probed;
    /// after a new introduction every candidate is. A response moves the path.
    /// </summary>
    private void ProbeForDirectPath(DateTimeOffset now)
    {
        if (!Probing || now < _nextProbeAt)
            return;
        if (_upgradeProbing && now >= _startedAt + _options.PunchTimeout)
            _upgradeProbing = false;
        if (_reprobeUntil is { } until && now >= until)
            _reprobeUntil = null;
        if (!Probing)
        {
            _nextProbeAt = null;
            return;
        }
        SendProbeRound(now);
    }

    private void StopReprobing()
    {
        if (_reprobeUntil is null)
            return;
        _reprobeUntil = null;
        if (!_upgradeProbing)
            _nextProbeAt = null;
    }

    private void GiveUp(DateTimeOffset now)
    {
        State = PeerLinkState.NoDirectPath;
        ResetSessions();
        _events.Enqueue(new PeerLinkEvent.NoDirectPath(_targets.Count + _relayedTargets.Count, now - _startedAt));
    }
}
