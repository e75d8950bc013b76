using System.Text;
using System.Text.Unicode;

namespace Pype.Core.Stun.Attributes;

/// <summary>
/// A UTF-8 string value. RFC 8489 caps these at 763 bytes for parsing (§14.3, §14.9, §14.10,
/// §14.14); anything longer or not valid UTF-8 makes the attribute malformed.
/// </summary>
public abstract record StunTextAttribute(ushort Type, string Value) : StunAttribute(Type)
{
    public const int MaxValueBytes = 763;

    public override int ValueLength => Encoding.UTF8.GetByteCount(Value);

    public override void WriteValue(Span<byte> destination, StunTransactionId transactionId) =>
        Encoding.UTF8.GetBytes(Value, destination);

    internal static string? DecodeText(ReadOnlySpan<byte> value) =>
        value.Length <= MaxValueBytes && Utf8.IsValid(value) ? Encoding.UTF8.GetString(value) : null;
}

/// <summary>USERNAME (RFC 8489 §14.3). We send plain ASCII names, so OpaqueString is not applied.</summary>
public sealed record UsernameAttribute(string Value) : StunTextAttribute(StunAttributeType.Username, Value)
{
    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        DecodeText(value) is { } text ? new UsernameAttribute(text) : null;
}

/// <summary>REALM (RFC 8489 §14.9): names the long-term credential's protection domain.</summary>
public sealed record RealmAttribute(string Value) : StunTextAttribute(StunAttributeType.Realm, Value)
{
    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        DecodeText(value) is { } text ? new RealmAttribute(text) : null;
}

/// <summary>NONCE (RFC 8489 §14.10): the server's replay guard for long-term credentials.</summary>
public sealed record NonceAttribute(string Value) : StunTextAttribute(StunAttributeType.Nonce, Value)
{
    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        DecodeText(value) is { } text ? new NonceAttribute(text) : null;
}

/// <summary>SOFTWARE (RFC 8489 §14.14): free text naming the agent, for diagnostics only.</summary>
public sealed record SoftwareAttribute(string Value) : StunTextAttribute(StunAttributeType.Software, Value)
{
    internal static StunAttribute? Decode(ReadOnlySpan<byte> value, StunTransactionId transactionId) =>
        DecodeText(value) is { } text ? new SoftwareAttribute(text) : null;
}
