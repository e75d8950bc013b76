using System.Diagnostics.CodeAnalysis;

namespace Pype.Core.Noise;

/// <summary>A value, or the reason there is none: how the session layer reports drops without throwing.</summary>
public readonly struct Outcome<TValue, TReason>
    where TValue : class
    where TReason : struct, Enum
{
    private Outcome(TValue? value, TReason reason)
    {
        Value = value;
        Reason = reason;
    }

    public TValue? Value { get; }

    /// <summary>Meaningful only when <see cref="IsSuccess"/> is false.</summary>
    public TReason Reason { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsSuccess => Value is not null;

    public static Outcome<TValue, TReason> Success(TValue value) => new(value, default);

    public static Outcome<TValue, TReason> Failure(TReason reason) => new(null, reason);

    public static implicit operator Outcome<TValue, TReason>(TValue value) => Success(value);

    public static implicit operator Outcome<TValue, TReason>(TReason reason) => Failure(reason);
}
