namespace Pype.Core.Media;

/// <summary>
/// How long received packets may wait behind a gap. A reorder buffer waits for a missing packet
/// until a window of later ones has arrived, which at a few packets per frame can be a third of
/// a second; for a call it is better to give up on the gap after <see cref="MaxHold"/>.
/// The caller notes every packet taken in and every time the stream made progress (a frame or
/// packet came out), and flushes the buffer when <see cref="IsDue"/>.
/// </summary>
public sealed class HoldDeadline(TimeSpan maxHold)
{
    private TimeSpan? oldestWaiting;

    /// <summary>Settable because the wait that makes sense follows the path: with NACK it must cover a retransmission (about an RTT).</summary>
    public TimeSpan MaxHold { get; set; } = maxHold;

    public void PacketTaken(TimeSpan now) => oldestWaiting ??= now;

    /// <summary>Everything taken so far came out: nothing is waiting.</summary>
    public void Progressed() => oldestWaiting = null;

    public bool IsDue(TimeSpan now) => oldestWaiting is { } since && now - since >= MaxHold;

    /// <summary>When the oldest waiting packet is given up on; null while nothing waits.</summary>
    public TimeSpan? Deadline => oldestWaiting is { } since ? since + MaxHold : null;
}
