using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;

namespace Pype.Core.Turn;

/// <summary>Maps an error response to a <see cref="TurnFailure"/>; what to do about it depends on the request and is the client's call.</summary>
internal static class TurnErrors
{
    public static TurnFailure FromErrorResponse(int code, string reason, StunMessage response) => code switch
    {
        ErrorCodeAttribute.TryAlternate => new TurnFailure(
            TurnFailureKind.TryAlternate, code, reason, response.Get<AlternateServerAttribute>()?.EndPoint),
        ErrorCodeAttribute.BadRequest => new TurnFailure(TurnFailureKind.BadRequest, code, reason),
        ErrorCodeAttribute.Unauthenticated => new TurnFailure(TurnFailureKind.Unauthenticated, code, reason),
        ErrorCodeAttribute.Forbidden => new TurnFailure(TurnFailureKind.Forbidden, code, reason),
        ErrorCodeAttribute.UnknownAttribute => new TurnFailure(
            TurnFailureKind.UnknownAttribute, code, WithUnknownTypes(reason, response)),
        ErrorCodeAttribute.AllocationMismatch => new TurnFailure(TurnFailureKind.AllocationMismatch, code, reason),
        ErrorCodeAttribute.StaleNonce => new TurnFailure(TurnFailureKind.StaleNonceLoop, code, reason),
        ErrorCodeAttribute.AddressFamilyNotSupported => new TurnFailure(TurnFailureKind.AddressFamilyNotSupported, code, reason),
        ErrorCodeAttribute.WrongCredentials => new TurnFailure(TurnFailureKind.WrongCredentials, code, reason),
        ErrorCodeAttribute.UnsupportedTransportProtocol => new TurnFailure(TurnFailureKind.UnsupportedTransportProtocol, code, reason),
        ErrorCodeAttribute.PeerAddressFamilyMismatch => new TurnFailure(TurnFailureKind.PeerAddressFamilyMismatch, code, reason),
        ErrorCodeAttribute.AllocationQuotaReached => new TurnFailure(TurnFailureKind.AllocationQuotaReached, code, reason),
        ErrorCodeAttribute.InsufficientCapacity => new TurnFailure(TurnFailureKind.InsufficientCapacity, code, reason),
        >= 500 and < 600 => new TurnFailure(TurnFailureKind.ServerError, code, reason),
        _ => new TurnFailure(TurnFailureKind.OtherError, code, reason),
    };

    public static TurnFailure Malformed(string reason) => new(TurnFailureKind.MalformedResponse, null, reason);

    public static TurnFailure TimedOut { get; } = new(TurnFailureKind.TimedOut, null, "no response after every retransmission");

    /// <summary>A 420 names what the server did not understand; the reason would be useless without it.</summary>
    private static string WithUnknownTypes(string reason, StunMessage response) =>
        response.Get<UnknownAttributesAttribute>() is { } unknown
            ? $"{reason} [{string.Join(", ", unknown.Types.Select(type => $"0x{type:X4}"))}]"
            : reason;
}
