namespace Pype.Core.Calls;

/// <summary>Why a callee refuses a call (the byte in a Reject).</summary>
public enum RejectReason : byte
{
    /// <summary>The user declined.</summary>
    Declined = 1,
    /// <summary>The callee is already in a call or ringing.</summary>
    Busy = 2,
    /// <summary>The offer names codecs or audio parameters the callee cannot take.</summary>
    Unsupported = 3,
}

/// <summary>Why a side ends a call (the byte in a HangUp).</summary>
public enum HangUpReason : byte
{
    /// <summary>The user hung up, or the caller gave up before an answer.</summary>
    Normal = 1,
    /// <summary>Nobody answered within the ringing timeout.</summary>
    RingingTimeout = 2,
}

/// <summary>
/// A call-signalling message, carried inside the encrypted session with its peer. Every message
/// names its call by the 128-bit id the caller drew. Invite, Ringing, Accept, Reject and HangUp
/// are retransmitted until the other side answers them with an <see cref="Ack"/>.
/// </summary>
public abstract record CallMessage(UInt128 CallId)
{
    private CallMessage()
        : this(UInt128.Zero)
    {
    }

    /// <summary>True for the messages the sender retransmits until acknowledged (all but Ack).</summary>
    public bool NeedsAck => this is not Ack;

    public sealed record Invite(UInt128 CallId, MediaOffer Offer) : CallMessage(CallId);

    public sealed record Ringing(UInt128 CallId) : CallMessage(CallId);

    public sealed record Accept(UInt128 CallId, MediaOffer Answer) : CallMessage(CallId);

    public sealed record Reject(UInt128 CallId, RejectReason Reason) : CallMessage(CallId);

    public sealed record HangUp(UInt128 CallId, HangUpReason Reason) : CallMessage(CallId);

    /// <summary>The receiver got the message of type <paramref name="Acknowledged"/> for this call.</summary>
    public sealed record Ack(UInt128 CallId, Session.SessionMessageType Acknowledged) : CallMessage(CallId);
}
