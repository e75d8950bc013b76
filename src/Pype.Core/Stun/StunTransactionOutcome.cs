namespace Pype.Core.Stun;

/// <summary>How a client transaction ended; each transaction reports exactly one.</summary>
public abstract record StunTransactionOutcome;

/// <summary>A success response arrived. Integrity, if the caller expects it, is theirs to check.</summary>
public sealed record StunTransactionSucceeded(ReceivedStunMessage Response) : StunTransactionOutcome;

/// <summary>An error response arrived with the given ERROR-CODE.</summary>
public sealed record StunTransactionRejected(int ErrorCode, string ReasonPhrase, ReceivedStunMessage Response) : StunTransactionOutcome;

/// <summary>A response arrived that RFC 8489 §7.3.3–§7.3.4 says to treat as a failure.</summary>
public sealed record StunTransactionFailed(string Reason) : StunTransactionOutcome;

/// <summary>No response within the whole retransmission schedule.</summary>
public sealed record StunTransactionTimedOut : StunTransactionOutcome;
