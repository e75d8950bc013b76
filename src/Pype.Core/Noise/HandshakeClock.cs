namespace Pype.Core.Noise;

/// <summary>
/// The timestamps a node puts in its handshake initiations. A responder refuses an initiation whose
/// timestamp is not newer than the last it accepted from that key (the replay guard), so the
/// timestamps must only ever grow, and they should say little about the sender:
/// <list type="bullet">
/// <item>coarsened to <see cref="Granularity"/> (2^24 ns, about 16.8 ms, as WireGuard does), so the
/// label does not give away the sender's clock to the nanosecond;</item>
/// <item>strictly increasing whatever the wall clock does: when it stands still or steps back, the
/// next label is the last one plus a granule, so a clock set back an hour does not lock the node out
/// of every responder it talked to in that hour;</item>
/// <item>never behind a high-water mark kept across restarts: a label is only handed out once a
/// reservation ahead of it (<see cref="ReservationAhead"/>) has been persisted, and a restarted node
/// starts above the reservation it loaded. The persisting costs one small write per reservation,
/// not one per handshake.</item>
/// </list>
/// Shared by every link and the seed client of a node; safe to call from several threads.
/// </summary>
public sealed class HandshakeClock
{
    public static readonly TimeSpan Granularity = TimeSpan.FromTicks((1L << 24) / 100);

    private const long GranuleNanoseconds = 1L << 24;

    /// <summary>How far ahead of the newest label the persisted mark reaches.</summary>
    public static readonly TimeSpan ReservationAhead = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly Action<Tai64NTimestamp>? _persist;
    private long _lastNanoseconds;
    private long _reservedNanoseconds;

    /// <param name="persistedMark">The mark a previous run reserved, if it is known: every label is above it.</param>
    /// <param name="persist">
    /// Keeps a new mark durably before any label up to it is handed out; null for a node that keeps
    /// nothing across restarts. An exception it throws reaches the caller of <see cref="Next"/>.
    /// </param>
    public HandshakeClock(Tai64NTimestamp? persistedMark = null, Action<Tai64NTimestamp>? persist = null)
    {
        _persist = persist;
        _lastNanoseconds = _reservedNanoseconds = persistedMark?.ToUnixNanoseconds() ?? long.MinValue;
    }

    /// <summary>The newest mark reserved (persisted when a persister was given), or null before the first label.</summary>
    public Tai64NTimestamp? Reserved
    {
        get
        {
            lock (_gate) return _reservedNanoseconds == long.MinValue ? null : Tai64NTimestamp.FromUnixNanoseconds(_reservedNanoseconds);
        }
    }

    /// <summary>The label for an initiation made at <paramref name="now"/> (wall clock).</summary>
    public Tai64NTimestamp Next(DateTimeOffset now)
    {
        var wall = (now - DateTimeOffset.UnixEpoch).Ticks * 100;
        var coarse = wall - (wall % GranuleNanoseconds + GranuleNanoseconds) % GranuleNanoseconds;
        lock (_gate)
        {
            var next = _lastNanoseconds == long.MinValue ? coarse : Math.Max(coarse, _lastNanoseconds + GranuleNanoseconds);
            if (_reservedNanoseconds == long.MinValue || next > _reservedNanoseconds)
            {
                var reservation = next + ReservationAhead.Ticks * 100;
                _persist?.Invoke(Tai64NTimestamp.FromUnixNanoseconds(reservation));
                _reservedNanoseconds = reservation;
            }
            _lastNanoseconds = next;
            return Tai64NTimestamp.FromUnixNanoseconds(next);
        }
    }
}
