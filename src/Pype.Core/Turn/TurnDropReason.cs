namespace Pype.Core.Turn;

/// <summary>Why a <see cref="TurnClient"/> ignored input or refused to send. Nothing is ever answered for a drop.</summary>
public enum TurnDropReason
{
    /// <summary>The datagram did not come from the TURN server's address.</summary>
    NotFromServer,
    /// <summary>The first byte is neither STUN nor ChannelData (RFC 7983).</summary>
    NotStunOrChannelData,
    StunMalformed,
    /// <summary>A STUN request, or an indication other than Data: a client never serves either.</summary>
    UnexpectedStunMessage,
    /// <summary>A response matching no outstanding request: late, duplicated or forged.</summary>
    UnknownTransaction,
    /// <summary>A response to an authenticated request without MESSAGE-INTEGRITY (only 401 and 438 may lack it).</summary>
    MissingIntegrity,
    BadIntegrity,
    /// <summary>The transaction refused it: a wrong FINGERPRINT, or not a response class.</summary>
    RejectedByTransaction,
    DataIndicationMalformed,
    /// <summary>Data from a peer we never permitted: the server should not have relayed it.</summary>
    DataFromUnpermittedPeer,
    ChannelDataMalformed,
    UnknownChannel,
    /// <summary>Relayed data arrived, or was to be sent, while there is no allocation.</summary>
    NotAllocated,
    PayloadTooLarge,
}
