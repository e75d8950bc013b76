namespace Pype.Core.Rtp.Feedback;

/// <summary>The receiver's current view of the path, which paces NACK retries and deadlines.</summary>
public readonly record struct NetworkEstimate(TimeSpan RoundTrip, TimeSpan Jitter);

/// <summary>Tuning for <see cref="NackScheduler"/>; the defaults are Pype's (docs/protocol/rtp.md §7.3).</summary>
public sealed record NackSchedulerOptions
{
    /// <summary>Requests per missing packet: the first, then one per RTT.</summary>
    public int MaxRequests { get; init; } = 3;

    /// <summary>Floor of the retry interval, so a tiny RTT estimate cannot flood the sender.</summary>
    public TimeSpan MinRetryInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A missing packet is given up at max(2·RTT, this) + jitter after its gap was seen.</summary>
    public TimeSpan MinGiveUpAge { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>More missing packets than this at once: asking for them all is hopeless; ask for a keyframe.</summary>
    public int MaxMissing { get; init; } = 256;

    /// <summary>Sequence numbers per NACK message: keeps each message small and well under one datagram.</summary>
    public int MaxPerMessage { get; init; } = 64;

    /// <summary>PLIs are at least max(this, RTT) apart: a keyframe takes about an RTT to arrive.</summary>
    public TimeSpan MinKeyframeInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Receiver-side NACK and PLI logic for one video stream (RFC 4585 Generic NACK, PLI), sans-IO:
/// feed it every arriving sequence number (<see cref="OnPacket"/>) and call
/// <see cref="HandleTimeout"/> at <see cref="NextDeadline"/>; after either, drain
/// <see cref="TryTakeNack"/> and <see cref="TakeKeyframeRequest"/>.
/// <para>
/// Rules: a gap in sequence numbers (wrap-aware) makes each missing number wanted; it is asked for
/// at once, then again after max(RTT, 10 ms), at most <see cref="NackSchedulerOptions.MaxRequests"/>
/// times and only while an answer could still arrive before it is given up, at max(2·RTT, 100 ms)
/// + jitter after the gap was seen. Giving up, or more
/// than <see cref="NackSchedulerOptions.MaxMissing"/> missing, means the decoder will see a broken
/// picture: a keyframe is requested, at most once per max(500 ms, RTT).
/// </para>
/// </summary>
public sealed class NackScheduler
{
    private readonly NackSchedulerOptions options;
    private readonly SortedDictionary<long, Missing> missing = [];
    private readonly Queue<IReadOnlyList<ushort>> nacks = new();
    private SequenceExtender sequences;
    private bool keyframeWanted;
    private bool keyframeRequestReady;
    private DateTimeOffset? lastKeyframeRequest;
    private NetworkEstimate network;

    public NackScheduler(NackSchedulerOptions? options = null) => this.options = options ?? new NackSchedulerOptions();

    /// <summary>NACK messages produced.</summary>
    public long NacksSent { get; private set; }

    /// <summary>Sequence numbers asked for, counting each retry.</summary>
    public long SequenceNumbersRequested { get; private set; }

    /// <summary>
    /// Missing packets that arrived later. Every gap is asked for at once, so this counts both
    /// retransmissions and plain reordering; a NACK for a reordered packet costs one duplicate.
    /// </summary>
    public long Recovered { get; private set; }

    public long GivenUp { get; private set; }

    /// <summary>Times the missing list was abandoned whole, because it grew past its bound.</summary>
    public long Overflows { get; private set; }

    public long KeyframeRequests { get; private set; }

    public int MissingCount => missing.Count;

    /// <summary>When <see cref="HandleTimeout"/> must next run; null when nothing is pending.</summary>
    public DateTimeOffset? NextDeadline { get; private set; }

    public void OnPacket(ushort sequenceNumber, DateTimeOffset now, NetworkEstimate estimate)
    {
        network = estimate;
        if (!sequences.Started)
            sequences.Reset(sequenceNumber);
        var previousHighest = sequences.Highest;
        var extended = sequences.Peek(sequenceNumber);

        if (extended > previousHighest)
        {
            var gap = extended - previousHighest - 1;
            if (gap + missing.Count > options.MaxMissing)
            {
                Overflows++;
                missing.Clear();
                sequences.Reset(sequenceNumber);
                keyframeWanted = true;
            }
            else
            {
                sequences.Extend(sequenceNumber);
                for (var lost = previousHighest + 1; lost < extended; lost++)
                    missing[lost] = new Missing(now);
            }
        }
        else if (missing.Remove(extended))
        {
            Recovered++;
        }
        Process(now);
    }

    /// <summary>
    /// The first packet of a keyframe arrived: packets before it are no longer needed (the decoder
    /// starts again there), and a pending keyframe request is moot.
    /// </summary>
    public void OnKeyframe(ushort sequenceNumber, DateTimeOffset now)
    {
        var extended = sequences.Peek(sequenceNumber);
        foreach (var key in missing.Keys.TakeWhile(k => k < extended).ToList())
            missing.Remove(key);
        keyframeWanted = false;
        keyframeRequestReady = false;
        Process(now);
    }

    /// <summary>
    /// The decoder has nothing to refer to (it just started, or restarted, or dropped a broken
    /// frame) and is waiting for a keyframe: ask for one now rather than at the sender's next
    /// periodic keyframe, under the same pacing as every other request.
    /// </summary>
    public void RequestKeyframe(DateTimeOffset now)
    {
        keyframeWanted = true;
        Process(now);
    }

    public void HandleTimeout(DateTimeOffset now, NetworkEstimate estimate)
    {
        network = estimate;
        Process(now);
    }

    /// <summary>Sequence numbers for one Generic NACK, at most <see cref="NackSchedulerOptions.MaxPerMessage"/>.</summary>
    public bool TryTakeNack(out IReadOnlyList<ushort> sequenceNumbers)
    {
        if (nacks.TryDequeue(out var list))
        {
            sequenceNumbers = list;
            return true;
        }
        sequenceNumbers = [];
        return false;
    }

    /// <summary>True once per PLI to send.</summary>
    public bool TakeKeyframeRequest()
    {
        var ready = keyframeRequestReady;
        keyframeRequestReady = false;
        return ready;
    }

    private TimeSpan RetryInterval => Max(network.RoundTrip, options.MinRetryInterval);

    private TimeSpan GiveUpAge => GiveUpAfter(network);

    /// <summary>
    /// How long after a gap is seen this scheduler gives the missing packet up, for a path estimate.
    /// A receiver holding later packets behind the gap should wait at least this long, or it
    /// abandons the gap while a retransmission is still on its way.
    /// </summary>
    public TimeSpan GiveUpAfter(NetworkEstimate estimate) => Max(2 * estimate.RoundTrip, options.MinGiveUpAge) + estimate.Jitter;

    private TimeSpan KeyframeInterval => Max(options.MinKeyframeInterval, network.RoundTrip);

    private void Process(DateTimeOffset now)
    {
        var due = new List<ushort>();
        DateTimeOffset? next = null;
        foreach (var (extended, entry) in missing.ToList())
        {
            var giveUpAt = entry.FirstSeen + GiveUpAge;
            if (now >= giveUpAt)
            {
                missing.Remove(extended);
                GivenUp++;
                keyframeWanted = true;
                continue;
            }
            // A retry whose answer cannot arrive before the give-up time would only cost the sender bandwidth.
            var worthAsking = entry.LastRequest is null || now + network.RoundTrip <= giveUpAt;
            if (entry.Requests < options.MaxRequests && worthAsking && (entry.LastRequest is not { } last || now >= last + RetryInterval))
            {
                entry.Requests++;
                entry.LastRequest = now;
                due.Add((ushort)extended);
            }
            next = Earliest(next, giveUpAt);
            // A retry time already past was not worth asking (its answer would come after the give-up
            // time); as a deadline it would only make a caller that waits for deadlines spin.
            if (entry.Requests < options.MaxRequests && entry.LastRequest is { } requested && requested + RetryInterval + network.RoundTrip <= giveUpAt
                && requested + RetryInterval > now)
                next = Earliest(next, requested + RetryInterval);
        }

        for (var i = 0; i < due.Count; i += options.MaxPerMessage)
        {
            nacks.Enqueue(due.GetRange(i, Math.Min(options.MaxPerMessage, due.Count - i)));
            NacksSent++;
        }
        SequenceNumbersRequested += due.Count;

        if (keyframeWanted)
        {
            var allowedAt = lastKeyframeRequest is { } sent ? sent + KeyframeInterval : now;
            if (now >= allowedAt)
            {
                keyframeWanted = false;
                keyframeRequestReady = true;
                lastKeyframeRequest = now;
                KeyframeRequests++;
            }
            else
                next = Earliest(next, allowedAt);
        }
        NextDeadline = next;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value < b ? value : b;

    private sealed class Missing(DateTimeOffset firstSeen)
    {
        public DateTimeOffset FirstSeen { get; } = firstSeen;
        public int Requests { get; set; }
        public DateTimeOffset? LastRequest { get; set; }
    }
}
