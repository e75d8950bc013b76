using Pype.Core.Identity;
using Pype.Core.Replication;

namespace Pype.Core.Calls;

/// <summary>How a node takes calls, beyond the protocol's timers in <see cref="CallOptions"/>.</summary>
public sealed record CallDeskOptions
{
    public static CallDeskOptions Default { get; } = new();

    public CallOptions Calls { get; init; } = CallOptions.Default;

    /// <summary>
    /// Start a call's media held while it rings, so capture and codec start-up happen before the
    /// answer rather than between the answer and the first picture.
    /// </summary>
    public bool PrepareMediaWhileRinging { get; init; } = true;

    /// <summary>Answer every incoming call at once, unattended.</summary>
    public bool AutoAnswer { get; init; }
}

/// <summary>What a <see cref="CallDesk"/> asks its owner to do, drained with <see cref="CallDesk.PollCommand"/>, in order.</summary>
public abstract record CallDeskCommand
{
    private CallDeskCommand()
    {
    }

    /// <summary>Signalling for <paramref name="Peer"/>'s encrypted session; the key lets the owner have the peer introduced first.</summary>
    public sealed record SendSignal(HashAddress Peer, byte[] PeerPublicKey, byte[] Bytes) : CallDeskCommand;

    /// <summary>Write the call's invite into the replicated call list, for a callee the invite cannot reach directly.</summary>
    public sealed record InviteInCallList(byte[] CalleePublicKey, UInt128 CallId, byte[] Offer) : CallDeskCommand;

    /// <summary>Replace the call's call-list entry, if any, with a tombstone of this kind.</summary>
    public sealed record EndInCallList(UInt128 CallId, CallEntryKind Kind) : CallDeskCommand;

    /// <summary>Start the call's media session held: it sends and plays nothing until <see cref="ReleaseMedia"/>. A caller does not know <paramref name="Remote"/> yet.</summary>
    public sealed record PrepareMedia(UInt128 CallId, HashAddress Peer, MediaOffer Local, MediaOffer? Remote, CallRole Role) : CallDeskCommand;

    /// <summary>Let the call's prepared media session flow, with the peer's media as answered.</summary>
    public sealed record ReleaseMedia(UInt128 CallId, MediaOffer Remote) : CallDeskCommand;

    /// <summary>Start a flowing media session for the call (none was prepared, or it was prepared with another offer and stopped just before).</summary>
    public sealed record StartMedia(UInt128 CallId, HashAddress Peer, MediaOffer Local, MediaOffer Remote) : CallDeskCommand;

    public sealed record StopMedia(UInt128 CallId) : CallDeskCommand;

    /// <summary>Media from <paramref name="Peer"/> now belongs to the media session of <paramref name="CallId"/>; null withdraws the route.</summary>
    public sealed record RouteMedia(HashAddress Peer, UInt128? CallId) : CallDeskCommand;
}

/// <summary>What a <see cref="CallDesk"/> tells its owner's user, drained with <see cref="CallDesk.PollEvent"/>.</summary>
public abstract record CallDeskEvent(UInt128 CallId)
{
    private CallDeskEvent()
        : this(UInt128.Zero)
    {
    }

    public sealed record Incoming(UInt128 CallId, HashAddress Caller, byte[]? CallerPublicKey, IncomingCallSource Source) : CallDeskEvent(CallId);

    /// <summary>The callee is alerting its user.</summary>
    public sealed record Ringing(UInt128 CallId, HashAddress? Peer) : CallDeskEvent(CallId);

    public sealed record Established(UInt128 CallId, HashAddress Peer, CallRole Role, TimeSpan SetupTime, MediaOffer LocalMedia, MediaOffer RemoteMedia) : CallDeskEvent(CallId);

    /// <summary>The call is over; <paramref name="Duration"/> is null for a call never established. A call lost to glare ends <see cref="CallEndReason.Superseded"/>.</summary>
    public sealed record Ended(UInt128 CallId, HashAddress? Peer, CallEndReason Reason, TimeSpan? Duration) : CallDeskEvent(CallId);
}

/// <summary>What became of a user's call command: the call it applied to, or why it was refused (in words for the user).</summary>
public readonly record struct CallOutcome(UInt128 CallId, string? Refusal)
{
    public bool IsDone => Refusal is null;

    public static CallOutcome Refused(string why) => new(UInt128.Zero, why);
}

/// <summary>How far a live call has got, as the user sees it.</summary>
public enum LiveCallPhase
{
    Calling,
    Ringing,
    /// <summary>Answered here; waiting for the caller to acknowledge.</summary>
    Answering,
    Established,
}

public sealed record LiveCall(UInt128 CallId, HashAddress Peer, byte[]? PeerPublicKey, CallRole Role, LiveCallPhase Phase, DateTimeOffset StartedAt);

/// <summary>A call whose media flows; <paramref name="EstablishedAt"/> is null while a callee's answer awaits acknowledgement.</summary>
public sealed record FlowingCall(UInt128 CallId, HashAddress Peer, DateTimeOffset? EstablishedAt);

/// <summary>Why a <see cref="CallDesk"/> dropped an input or an output.</summary>
public enum CallDeskDropReason
{
    /// <summary>A call-list invite whose caller key or media offer does not decode.</summary>
    UnreadableOffer,
    /// <summary>Signalling for a peer whose public key was never learnt (the peer list could not have it introduced).</summary>
    NoPublicKey,
}
