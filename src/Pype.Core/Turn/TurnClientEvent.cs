using System.Net;

namespace Pype.Core.Turn;

/// <summary>What a <see cref="TurnClient"/> tells its owner; drained with <see cref="TurnClient.PollEvent"/>.</summary>
public abstract record TurnClientEvent
{
    private TurnClientEvent()
    {
    }

    /// <param name="Relayed">The address peers send to; what a relayed candidate advertises.</param>
    /// <param name="Mapped">Our server-reflexive address as the TURN server saw it.</param>
    public sealed record Allocated(IPEndPoint Relayed, IPEndPoint Mapped, TimeSpan Lifetime) : TurnClientEvent;

    public sealed record Refreshed(TimeSpan Lifetime) : TurnClientEvent;

    /// <summary>The client has given up; <see cref="TurnClient.Start"/> may try again (see <see cref="TurnFailure.Retryable"/>).</summary>
    public sealed record AllocationFailed(TurnFailure Failure) : TurnClientEvent;

    /// <summary>
    /// The server no longer holds our allocation. The client is already allocating anew; the new
    /// relayed address will differ, so whoever advertised the old one must advertise the next.
    /// </summary>
    public sealed record AllocationLost(TurnFailure Failure) : TurnClientEvent;

    /// <summary>The allocation was released with a zero-lifetime Refresh (or the server stopped answering while we did).</summary>
    public sealed record Deallocated : TurnClientEvent;

    public sealed record PermissionCreated(IPAddress Peer) : TurnClientEvent;

    /// <summary>The server refused a permission; the client stops asking for it.</summary>
    public sealed record PermissionFailed(IPAddress Peer, TurnFailure Failure) : TurnClientEvent;

    /// <summary>A permission ran out before a refresh succeeded; the client keeps trying to renew it.</summary>
    public sealed record PermissionExpired(IPAddress Peer) : TurnClientEvent;

    public sealed record ChannelBound(IPEndPoint Peer, ushort Channel) : TurnClientEvent;

    /// <summary>The server refused a channel; data to this peer keeps going in Send indications.</summary>
    public sealed record ChannelBindFailed(IPEndPoint Peer, TurnFailure Failure) : TurnClientEvent;

    /// <param name="ViaChannel">True for ChannelData, false for a Data indication.</param>
    public sealed record DataReceived(IPEndPoint Peer, ReadOnlyMemory<byte> Payload, bool ViaChannel) : TurnClientEvent;
}

public enum TurnFailureKind
{
    TryAlternate,
    BadRequest,
    /// <summary>401 to a request that already carried our credentials: wrong or expired.</summary>
    Unauthenticated,
    Forbidden,
    UnknownAttribute,
    AllocationMismatch,
    /// <summary>438 again and again: the server never accepts the nonce it hands out.</summary>
    StaleNonceLoop,
    AddressFamilyNotSupported,
    WrongCredentials,
    UnsupportedTransportProtocol,
    PeerAddressFamilyMismatch,
    AllocationQuotaReached,
    InsufficientCapacity,
    ServerError,
    /// <summary>An error code this client has no specific reaction for.</summary>
    OtherError,
    /// <summary>A response we cannot use: no ERROR-CODE, missing attributes, unknown comprehension-required attributes.</summary>
    MalformedResponse,
    TimedOut,
    /// <summary>The allocation was lost and re-allocating failed too often in a row.</summary>
    TooManyRestarts,
}

/// <param name="ErrorCode">The server's ERROR-CODE, when there was one.</param>
/// <param name="AlternateServer">ALTERNATE-SERVER of a 300 response: where the server asks us to go instead.</param>
public sealed record TurnFailure(TurnFailureKind Kind, int? ErrorCode, string Reason, IPEndPoint? AlternateServer = null)
{
    /// <summary>
    /// Failures that may clear by themselves (the server is busy, full, or lost state), so trying
    /// again later with the same credentials and server makes sense; the others need a change first.
    /// </summary>
    public bool Retryable => Kind is TurnFailureKind.AllocationMismatch or TurnFailureKind.AllocationQuotaReached
        or TurnFailureKind.InsufficientCapacity or TurnFailureKind.ServerError or TurnFailureKind.TimedOut
        or TurnFailureKind.StaleNonceLoop or TurnFailureKind.TooManyRestarts;

    public override string ToString() => ErrorCode is { } code ? $"{Kind} ({code} {Reason})" : $"{Kind} ({Reason})";
}
