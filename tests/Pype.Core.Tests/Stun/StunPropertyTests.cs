using System.Net;
using CsCheck;
using Pype.Core.Stun;
using Xunit;

namespace Pype.Core.Tests.Stun;

public class StunPropertyTests
{
    private const int Cases = 100_000;

    /// <summary>Each message is cut at every length, so this is still several hundred thousand parses.</summary>
    private const int MessagesToTruncate = 10_000;
    private static readonly IPEndPoint Source = IPEndPoint.Parse("192.0.2.1:3478");

    [Fact]
    public void Random_bytes_never_make_the_parser_or_responder_throw() =>
        Gen.Byte.Array[0, StunWire.MaxMessageLength + 10].Sample(bytes =>
        {
            StunMessageParser.Parse(bytes);
            StunBindingResponder.Respond(bytes, Source);
        }, iter: Cases);

    [Fact]
    public void Random_attributes_behind_a_valid_header_never_make_the_parser_or_responder_throw()
    {
        var accepted = 0;
        StunGenerators.HeaderShapedBytes.Sample(bytes =>
        {
            if (StunMessageParser.Parse(bytes).Message is { } received && received.Bytes.Length > StunWire.HeaderLength)
            {
                Interlocked.Increment(ref accepted);
                received.VerifyFingerprint();
                received.VerifyMessageIntegrity(StunIntegrityKey.ShortTerm("k"));
            }
            StunBindingResponder.Respond(bytes, Source);
        }, iter: Cases);

        // A generator whose messages all fail at the first attribute would leave the rest of the walk untested.
        Assert.InRange(accepted, Cases / 10, Cases);
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_is_rejected_without_throwing() =>
        Gen.Select(StunGenerators.Message, StunGenerators.Protection).Sample((message, protection) =>
        {
            var bytes = StunMessageEncoder.Encode(message, protection);
            for (var length = 0; length < bytes.Length; length++)
                if (StunMessageParser.Parse(bytes.AsSpan(0, length)).IsSuccess)
                    return false;
            return true;
        }, iter: MessagesToTruncate);

    /// <summary>
    /// A flip may only go unnoticed where the RFC says bytes do not count: turning
    /// MESSAGE-INTEGRITY-SHA256 into some other type after MESSAGE-INTEGRITY makes it an ignored
    /// attribute, and the SHA-1 integrity still (rightly) vouches for unchanged content.
    /// </summary>
    [Fact]
    public void A_flipped_bit_in_a_protected_message_fails_verification_or_changes_nothing_that_counts() =>
        Gen.Select(StunGenerators.ProtectedMessage, Gen.Int[0, int.MaxValue]).Sample((encoded, position) =>
        {
            var (original, bytes, protection) = encoded;
            var bit = position % (bytes.Length * 8);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));

            var parsed = StunMessageParser.Parse(bytes);
            StunBindingResponder.Respond(bytes, Source);
            if (!parsed.IsSuccess)
                return true;
            var received = parsed.Message;
            var fingerprintHolds = !protection.Fingerprint || received.VerifyFingerprint();
            var integrityHolds = protection.IntegrityKey is null || received.VerifyMessageIntegrity(protection.IntegrityKey);
            return !(fingerprintHolds && integrityHolds) || received.Message.Equals(original);
        }, iter: Cases);

    [Fact]
    public void Encoding_then_parsing_gives_back_the_same_message_with_a_valid_trailer() =>
        Gen.Select(StunGenerators.Message, StunGenerators.Protection).Sample((message, protection) =>
        {
            var parsed = StunMessageParser.Parse(StunMessageEncoder.Encode(message, protection));
            if (parsed.Message is not { } received || !received.Message.Equals(message))
                return false;
            var fingerprintOk = protection.Fingerprint == received.HasFingerprint && (!protection.Fingerprint || received.VerifyFingerprint());
            var integrityOk = protection.IntegrityKey is null || received.VerifyMessageIntegrity(protection.IntegrityKey);
            return fingerprintOk && integrityOk;
        }, iter: Cases);
}
