namespace Pype.Core.Noise;

/// <summary>Why a handshake packet was refused; the caller stays silent towards the sender either way.</summary>
public enum HandshakeRejection
{
    None,
    Malformed,
    BadMac,
    WrongIndex,
    AuthenticationFailed,
    PeerNotAllowed,
    ReplayedInitiation,
    NotExpected,
    /// <summary>The responder already remembers as many recently seen peers as it may.</summary>
    TooManyPeers,
    /// <summary>A handshake of the layout before mac2: the sender predates cookie replies.</summary>
    UnsupportedVersion,
}

/// <summary>Why a transport packet was dropped.</summary>
public enum DropReason
{
    None,
    TooShort,
    Malformed,
    WrongIndex,
    CounterLimitReached,
    Replayed,
    AuthenticationFailed,
    /// <summary>The session was retired and its keys wiped.</summary>
    Retired,
}

/// <summary>Why a payload could not be sent.</summary>
public enum SendFailure
{
    None,
    PayloadTooLarge,
    CounterExhausted,
    /// <summary>The session was retired and its keys wiped.</summary>
    Retired,
}
