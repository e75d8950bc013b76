using System.Diagnostics.CodeAnalysis;

namespace Pype.Core.Stun;

/// <summary>Either the parsed message or the reason there is none.</summary>
public readonly record struct StunParseResult
{
    private StunParseResult(ReceivedStunMessage? message, StunParseError error)
    {
        Message = message;
        Error = error;
    }

    public ReceivedStunMessage? Message { get; }
    public StunParseError Error { get; }

    [MemberNotNullWhen(true, nameof(Message))]
    public bool IsSuccess => Message is not null;

    public static StunParseResult Success(ReceivedStunMessage message) => new(message, StunParseError.None);
    public static StunParseResult Failure(StunParseError error) => new(null, error);
}
