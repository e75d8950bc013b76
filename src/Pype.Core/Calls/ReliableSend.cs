namespace Pype.Core.Calls;

/// <summary>
/// The one signalling message a call side waits to have acknowledged, with its retransmission
/// timer: first after <see cref="CallOptions.RetransmitInitial"/>, then doubling up to
/// <see cref="CallOptions.RetransmitMax"/>. A newer message replaces an older one (an Accept
/// replaces a Ringing, a HangUp replaces an Invite).
/// </summary>
internal sealed class ReliableSend(CallMessage message, DateTimeOffset now, CallOptions options)
{
    private TimeSpan _interval = options.RetransmitInitial;

    public CallMessage Message { get; } = message;

    public byte[] Bytes { get; } = CallMessageCodec.Encode(message);

    public Session.SessionMessageType Type { get; } = CallMessageCodec.TypeOf(message);

    /// <summary>When it was first sent: silence from the peer is counted from here at the earliest.</summary>
    public DateTimeOffset FirstSent { get; } = now;

    public DateTimeOffset NextRetransmit { get; private set; } = now + options.RetransmitInitial;

    /// <summary>True (and the timer moved on) when a retransmission is due.</summary>
    public bool TakeRetransmit(DateTimeOffset now)
    {
        if (now < NextRetransmit)
        {
            return false;
        }

        _interval = _interval * 2 > options.RetransmitMax ? options.RetransmitMax : _interval * 2;
        NextRetransmit = now + _interval;
        return true;
    }
}
