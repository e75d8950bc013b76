using System.Buffers.Binary;
using Pype.Core.Session;

namespace Pype.Core.Connection;

/// <summary>
/// The link's Pings: one outstanding nonce, the smoothed RTT its Pongs give (RFC 6298 §2, gain
/// 1/8, no variance term), and the faster confirmation Pings sent on a new initiator session
/// until the peer is heard on it.
/// </summary>
internal sealed class PingSchedule(IRandomSource random)
{
    private const double RttGain = 1.0 / 8;

    private ulong? _outstanding;
    private TimeSpan _confirmGap;

    public DateTimeOffset LastPingAt { get; private set; }

    public DateTimeOffset? ConfirmAt { get; private set; }

    public TimeSpan? Rtt { get; private set; }

    public void Restart(DateTimeOffset now)
    {
        LastPingAt = now;
        _outstanding = null;
        ConfirmAt = null;
    }

    public byte[] NextPing(DateTimeOffset now)
    {
        Span<byte> nonce = stackalloc byte[sizeof(ulong)];
        random.Fill(nonce);
        _outstanding = BinaryPrimitives.ReadUInt64LittleEndian(nonce);
        LastPingAt = now;
        return LinkMessages.Ping(_outstanding.Value);
    }

    /// <summary>False for a Pong that answers no outstanding Ping; the caller counts it as a drop.</summary>
    public bool TryAcceptPong(DateTimeOffset now, ulong nonce)
    {
        if (nonce != _outstanding)
            return false;
        var sample = now - LastPingAt;
        Rtt = Rtt is { } smoothed ? smoothed + (sample - smoothed) * RttGain : sample;
        _outstanding = null;
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
