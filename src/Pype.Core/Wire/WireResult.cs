using System.Diagnostics.CodeAnalysis;

namespace Pype.Core.Wire;

public enum WireError
{
    None,
    TooShort,
    TooLong,
    WrongLength,
    WrongType,
    ReservedNotZero,
    FieldLengthInvalid,
    PayloadTooLarge,
    /// <summary>A handshake of the layout before mac2 (132 / 76 bytes): a peer that predates cookies.</summary>
    UnsupportedVersion,
}

/// <summary>What a codec hands back instead of throwing: a value, or why there is none.</summary>
public readonly struct WireResult<T>
    where T : class
{
    private WireResult(T? value, WireError error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public WireError Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsSuccess => Value is not null;

    public static WireResult<T> Success(T value) => new(value, WireError.None);

    public static WireResult<T> Failure(WireError error) => new(null, error);

    public static implicit operator WireResult<T>(WireError error) => Failure(error);
}
