using Pype.Core.Noise;

namespace Pype.Core.Connection;

/// <summary>One Noise session of a link and what the link knows about its use.</summary>
internal sealed class LinkSession(NoiseSession noise, bool leaderInitiated, bool usable, long sequence, DateTimeOffset addedAt)
{
    public NoiseSession Noise { get; } = noise;

    /// <summary>Initiated by the side with the smaller Ed25519 key: the glare winner.</summary>
    public bool LeaderInitiated { get; } = leaderInitiated;

    /// <summary>Initiator sessions are usable at once; responder sessions once the peer has sent on them (key confirmation).</summary>
    public bool Usable { get; set; } = usable;

    /// <summary>Order in which the link learned of the session; newer ranks higher.</summary>
    public long Sequence { get; } = sequence;

    public DateTimeOffset AddedAt { get; } = addedAt;

    /// <summary>The peer has sent on it, so the peer holds it and (as it sends on its preferred session) prefers it.</summary>
    public bool ReceivedAny { get; set; }

    public DateTimeOffset? RetireAt { get; set; }

    public bool IsStale(DateTimeOffset now) => Noise.NeedsRekey(now);
}

/// <summary>
/// The live sessions of one link, keyed by local index, and the rule both sides use to pick the
/// one they send on: fresh (not yet due for rekey) before stale, then initiated by the smaller
/// key before the other, then newest. Sessions ranked below a sending session the peer has
/// been heard on are retired after <see cref="PeerLinkOptions.SessionRetireGrace"/>.
/// </summary>
internal sealed class LinkSessionSet
{
    private readonly Dictionary<uint, LinkSession> _byIndex = [];
    private long _sequence;

    public int Count => _byIndex.Count;

    public bool Contains(uint localIndex) => _byIndex.ContainsKey(localIndex);

    public LinkSession? Find(uint localIndex) => _byIndex.GetValueOrDefault(localIndex);

    public LinkSession Add(NoiseSession noise, bool leaderInitiated, DateTimeOffset now)
    {
        var session = new LinkSession(noise, leaderInitiated, usable: noise.IsInitiator, ++_sequence, now);
        _byIndex[noise.LocalIndex] = session;
        while (_byIndex.Count > PeerLinkOptions.MaxSessions)
            Remove(_byIndex.Values.OrderBy(s => s.Usable).ThenBy(s => Rank(s, now)).First());
        return session;
    }

    public void Clear()
    {
        foreach (var session in _byIndex.Values) session.Noise.Retire();
        _byIndex.Clear();
    }

    /// <summary>A session let go has its keys wiped at once.</summary>
    private void Remove(LinkSession session)
    {
        _byIndex.Remove(session.Noise.LocalIndex);
        session.Noise.Retire();
    }

    public LinkSession? Sending(DateTimeOffset now) =>
        _byIndex.Values.Where(s => s.Usable && !s.Noise.IsExpired(now)).MaxBy(s => Rank(s, now));

    /// <summary>After an authenticated packet: schedules the retirement of everything ranked below a sending session the peer uses.</summary>
    public void ScheduleRetirements(DateTimeOffset now)
    {
        var sending = Sending(now);
        if (sending is not { ReceivedAny: true })
            return;
        var sendingRank = Rank(sending, now);
        foreach (var session in _byIndex.Values)
        {
            if (session != sending && session.RetireAt is null && Rank(session, now) < sendingRank)
                session.RetireAt = now + PeerLinkOptions.SessionRetireGrace;
        }
    }

    /// <summary>Forgets retired, expired and never-confirmed sessions whose time has come.</summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var session in _byIndex.Values.ToList())
        {
            if (session.RetireAt <= now || session.Noise.IsExpired(now) || (!session.Usable && session.AddedAt + PeerLinkOptions.PendingSessionLifetime <= now))
                Remove(session);
        }
    }

    public DateTimeOffset? NextPruneAt() =>
        _byIndex.Values
            .Select(s => Earliest(Earliest(s.RetireAt, s.Noise.EstablishedAt + PypeNoise.RejectAfterTime), s.Usable ? null : s.AddedAt + PeerLinkOptions.PendingSessionLifetime))
            .Min();

    /// <summary>Fresh before stale, then leader-initiated, then newest, packed into one comparable number.</summary>
    private static long Rank(LinkSession session, DateTimeOffset now) =>
        (session.IsStale(now) ? 0 : 1L << 62) | (session.LeaderInitiated ? 1L << 61 : 0) | session.Sequence;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
