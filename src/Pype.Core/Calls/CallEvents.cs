using Pype.Core.Identity;

namespace Pype.Core.Calls;

/// <summary>The timers and local limits of a <see cref="CallBook"/>; the defaults are the protocol's.</summary>
public sealed record CallOptions
{
    public static CallOptions Default { get; } = new();

    /// <summary>How long a call may ring without an answer, on either side.</summary>
    public TimeSpan RingingTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>First retransmission of an unacknowledged signalling message.</summary>
    public TimeSpan RetransmitInitial { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The retransmission interval doubles up to this.</summary>
    public TimeSpan RetransmitMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A side that has heard from its peer gives up when a message stays unacknowledged and the
    /// peer says nothing for this long.
    /// </summary>
    public TimeSpan PeerSilenceTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A side that has never heard from its peer (a caller whose invite may travel through the
    /// call list, a callee connecting back) gives up after this long.
    /// </summary>
    public TimeSpan FirstContactTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an ended call's id is remembered, so late and replayed messages cannot revive it.</summary>
    public TimeSpan EndedCallMemory { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most this node will receive; an answer never exceeds it.</summary>
    public VideoLimits LocalLimits { get; init; } = VideoLimits.Default;
}

public enum CallRole
{
    Caller,
    Callee,
}

public enum CallState
{
    /// <summary>The caller sent its invite and waits for the callee to ring.</summary>
    Calling,
    /// <summary>The callee is alerting its user.</summary>
    Ringing,
    /// <summary>Answered and acknowledged: media may flow.</summary>
    Established,
    Ended,
}

public enum CallEndReason
{
    /// <summary>The callee declined.</summary>
    Rejected,
    /// <summary>The callee was in another call.</summary>
    Busy,
    HungUpLocal,
    HungUpRemote,
    /// <summary>Nobody answered within the ringing timeout.</summary>
    TimeoutRinging,
    /// <summary>The peer stopped answering (or never answered) during setup.</summary>
    TimeoutNoAnswerFromPeer,
    /// <summary>The callee cannot take the caller's codecs.</summary>
    Unsupported,
    /// <summary>Glare: our call to the peer gave way to the peer's call to us (see <see cref="CallEvent.Superseded"/>).</summary>
    Superseded,
    /// <summary>The encrypted session with the peer was lost during an established call.</summary>
    ConnectionLost,
}

/// <summary>How an incoming call first reached us.</summary>
public enum IncomingCallSource
{
    /// <summary>An invite over an encrypted session with the caller.</summary>
    Direct,
    /// <summary>An invite in the replicated call list; the callee connects back.</summary>
    CallList,
}

/// <summary>Why a <see cref="CallBook"/> dropped a message without acting on it.</summary>
public enum CallDropReason
{
    /// <summary>The bytes do not decode.</summary>
    Malformed,
    /// <summary>A message for a call id we do not know (other than an invite).</summary>
    UnknownCall,
    /// <summary>A message for a known call id from a peer that is not party to it.</summary>
    WrongPeer,
    /// <summary>A message the call's role does not expect (an Accept sent to a callee, an Invite to a caller, an invite from ourselves).</summary>
    UnexpectedMessage,
    /// <summary>An accept whose answer changes the codecs or exceeds the offer.</summary>
    InvalidAnswer,
    /// <summary>A duplicate of a message already handled (acknowledged again, not acted on).</summary>
    Duplicate,
    /// <summary>The peer's invite lost glare to ours and is ignored.</summary>
    GlareLost,
    /// <summary>An invite while <see cref="CallBook.MaxCalls"/> calls are live.</summary>
    TooManyCalls,
    /// <summary>An invite from a peer with <see cref="CallBook.MaxCallsPerPeer"/> calls still live.</summary>
    TooManyCallsWithPeer,
    /// <summary>A stranger's invite while strangers hold <see cref="CallBook.MaxStrangerCalls"/> calls still live.</summary>
    TooManyStrangerCalls,
}

/// <summary>What a <see cref="CallBook"/> tells its owner, drained with <see cref="CallBook.PollEvent"/>.</summary>
public abstract record CallEvent(UInt128 CallId)
{
    private CallEvent()
        : this(UInt128.Zero)
    {
    }

    /// <summary>Someone calls us; the owner alerts its user and later answers or rejects.</summary>
    public sealed record IncomingCall(UInt128 CallId, HashAddress Caller, IncomingCallSource Source, MediaOffer Offer) : CallEvent(CallId);

    /// <summary>The callee is alerting its user (raised on the caller's side).</summary>
    public sealed record Ringing(UInt128 CallId) : CallEvent(CallId);

    /// <summary>Both sides agree the call is up; setup time runs from when this side started.</summary>
    public sealed record Established(UInt128 CallId, HashAddress Peer, MediaOffer LocalMedia, MediaOffer RemoteMedia, TimeSpan SetupTime) : CallEvent(CallId);

    public sealed record Ended(UInt128 CallId, CallEndReason Reason) : CallEvent(CallId);

    /// <summary>
    /// Glare: our call to the peer lost to the peer's call to us, so ours is dropped and theirs is
    /// answered at once (both users asked for it). Events for <paramref name="By"/> follow.
    /// </summary>
    public sealed record Superseded(UInt128 CallId, UInt128 By) : CallEvent(CallId);
}

/// <summary>Signalling bytes for one peer, to be sent inside the encrypted session with it.</summary>
public readonly record struct OutgoingCallMessage(HashAddress Peer, byte[] Bytes);
