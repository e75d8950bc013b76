using Pype.Core.Identity;

namespace Pype.Core.Calls;

public enum CallRole { Caller, Callee }

public enum CallState { Calling, Ringing, Established, Ended }

public enum CallEndReason { Rejected, Busy, Unsupported, HungUpLocally, HungUpRemotely, RingingTimedOut, PeerSilent }

/// <summary>What a <see cref="CallBook"/> tells its owner.</summary>
public abstract record CallEvent(UInt128 CallId, HashAddress Peer)
{
    public sealed record Incoming(UInt128 CallId, HashAddress Peer, byte[] Offer) : CallEvent(CallId, Peer);
    public sealed record RingingAtPeer(UInt128 CallId, HashAddress Peer) : CallEvent(CallId, Peer);
    /// <summary>Both sides agreed. <paramref name="Setup"/> runs from the local start (placing the
    /// call, or the invite arriving) to now.</summary>
    public sealed record Established(UInt128 CallId, HashAddress Peer, TimeSpan Setup, byte[] Offer, byte[] Answer) : CallEvent(CallId, Peer);
    public sealed record Ended(UInt128 CallId, HashAddress Peer, CallEndReason Reason) : CallEvent(CallId, Peer);
}

public sealed record CallOptions
{
    public static CallOptions Default { get; } = new();

    /// <summary>How long a call may ring before it is given up (both sides).</summary>
    public TimeSpan RingingTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>First repeat of an unconfirmed message; doubles up to <see cref="MaxRetransmitInterval"/>.</summary>
    public TimeSpan InitialRetransmitInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxRetransmitInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A caller that hears nothing at all from the peer this long gives up; so does an
    /// unconfirmed hang-up or rejection (the peer is gone).</summary>
    public TimeSpan PeerSilenceLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an ended call is remembered, to answer repeats of its last messages.</summary>
    public TimeSpan EndedCallMemory { get; init; } = TimeSpan.FromSeconds(60);
}

public enum CallDropReason { Malformed, UnknownCall, WrongPeer, GlareLost, UnexpectedMessage }

public readonly record struct OutgoingCallMessage(HashAddress Peer, byte[] Bytes);
