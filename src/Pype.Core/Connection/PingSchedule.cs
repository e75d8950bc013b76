using System.Buffers.Binary;
using Pype.Core.Session;

namespace Pype.Core.Connection;

/// <summary>
/// The link's Pings: the last few outstanding nonces with their send times, the smoothed RTT its Pongs give (RFC 6298 §2, gain
/// 1/8, no variance term), and the faster confirmation Pings sent on a new initiator session
/// until the peer is heard on it.
/// </summary>
internal sealed class PingSchedule(IRandomSource random)
{
    private const double RttGain = 1.0 / 8;

    /// <summary>A confirmation Ping may go out while a regular one is unanswered; both answers still give a true sample.</summary>
    private const int MaxOutstanding = 4;

    private readonly List<(ulong Nonce, DateTimeOffset SentAt)> _outstanding = [];
    private TimeSpan _confirmGap;

    public DateTimeOffset LastPingAt { get; private set; }

    public DateTimeOffset? ConfirmAt { get; private set; }

    public TimeSpan? Rtt { get; private set; }

    public void Restart(DateTimeOffset now)
    {
        LastPingAt = now;
        _outstanding.Clear();
        ConfirmAt = null;
    }

    public byte[] NextPing(DateTimeOffset now)
    {
        Span<byte> nonce = stackalloc byte[sizeof(ulong)];
        random.Fill(nonce);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(nonce);
        if (_outstanding.Count == MaxOutstanding)
            _outstanding.RemoveAt(0);
        _outstanding.Add((value, now));
        LastPingAt = now;
        return LinkMessages.Ping(value);
    }

    /// <summary>False for a Pong that answers no outstanding Ping; the caller counts it as a drop.</summary>
    public bool TryAcceptPong(DateTimeOffset now, ulong nonce)
    {
        var at = _outstanding.FindIndex(p => p.Nonce == nonce);
        if (at < 0)
            return false;
        var sample = now - _outstanding[at].SentAt;
        _outstanding.RemoveAt(at);
        Rtt = Rtt is { } smoothed ? smoothed + (sample - smoothed) * RttGain : sample;
        return true;
    }

    public void BeginConfirmation(TimeSpan firstGap) => _confirmGap = firstGap;

    /// <summary>Called after each confirmation Ping: the next one comes after twice the gap, at most <paramref name="maxGap"/>.</summary>
    public void ConfirmAgainLater(DateTimeOffset now, TimeSpan maxGap)
    {
        ConfirmAt = now + _confirmGap;
        _confirmGap = _confirmGap * 2 < maxGap ? _confirmGap * 2 : maxGap;
    }

    public void StopConfirmation() => ConfirmAt = null;
}
