using System.Buffers.Binary;
using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Xunit;

namespace Pype.Core.Tests.Stun;

public class Rfc5769VectorTests
{
    /// <summary>Every field a vector may list; a field we do not know would go unchecked, so it fails.</summary>
    private static readonly HashSet<string> CheckedFields =
    [
        "class", "method", "transaction_id", "software", "username", "username_utf8", "priority",
        "ice_controlled", "xor_mapped_address", "nonce", "realm", "short_term_password",
        "password_after_saslprep", "password_before_saslprep", "long_term_key",
        "message_integrity_valid", "fingerprint_valid", "fingerprint_present",
    ];

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void Every_field_the_vector_lists_is_decoded_as_expected(string name)
    {
        var vector = Rfc5769Vectors.Named(name);
        Assert.Empty(vector.Expect.Keys.Except(CheckedFields));

        var result = StunMessageParser.Parse(vector.Bytes);
        Assert.True(result.IsSuccess, result.Error.ToString());
        var received = result.Message;
        var message = received.Message;

        Assert.Equal(ExpectedClass(vector["class"]!), message.Type.Class);
        Assert.Equal(StunMethod.Binding, message.Type.Method);
        Assert.Equal(Convert.ToHexStringLower(vector.Bytes.AsSpan(8, 12)), message.TransactionId.ToString());
        if (vector["transaction_id"] is { } transactionId)
            Assert.Equal(transactionId, message.TransactionId.ToString());
        if (vector["software"] is { } software)
            Assert.Equal(software, message.Get<SoftwareAttribute>()?.Value);
        if ((vector["username"] ?? vector["username_utf8"]) is { } username)
            Assert.Equal(username, message.Get<UsernameAttribute>()?.Value);
        if (vector["nonce"] is { } nonce)
            Assert.Equal(nonce, message.Get<NonceAttribute>()?.Value);
        if (vector["realm"] is { } realm)
            Assert.Equal(realm, message.Get<RealmAttribute>()?.Value);
        if (vector["priority"] is { } priority)
            Assert.Equal(priority, RawHex(message, StunAttributeType.Priority));
        if (vector["ice_controlled"] is { } iceControlled)
            Assert.Equal(iceControlled, RawHex(message, StunAttributeType.IceControlled));
        if (vector["xor_mapped_address"] is { } mapped)
            Assert.Equal(IPEndPoint.Parse(mapped), message.Get<XorMappedAddressAttribute>()?.EndPoint);

        Assert.Equal(vector["message_integrity_valid"] == "true", received.VerifyMessageIntegrity(KeyFor(vector)));
        if (vector["fingerprint_valid"] is { } fingerprintValid)
            Assert.Equal(fingerprintValid == "true", received.VerifyFingerprint());
        if (vector["fingerprint_present"] is { } fingerprintPresent)
            Assert.Equal(fingerprintPresent == "true", received.HasFingerprint);
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void A_wrong_password_fails_message_integrity(string name)
    {
        var received = StunMessageParser.Parse(Rfc5769Vectors.Named(name).Bytes).Message!;
        Assert.False(received.VerifyMessageIntegrity(StunIntegrityKey.ShortTerm("not the password")));
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void Re_encoding_the_decoded_message_reproduces_the_rfc_bytes(string name)
    {
        var vector = Rfc5769Vectors.Named(name);
        var received = StunMessageParser.Parse(vector.Bytes).Message!;
        var protection = StunMessageProtection.WithIntegrity(
            KeyFor(vector), StunIntegrityAlgorithms.Sha1, fingerprint: received.HasFingerprint);
        var paddingByte = PaddingByteOf(vector.Bytes);

        var encoded = StunMessageEncoder.Encode(received.Message, protection, paddingByte);

        Assert.Equal(Convert.ToHexStringLower(vector.Bytes), Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void The_long_term_key_is_md5_of_username_realm_and_password()
    {
        var vector = Rfc5769Vectors.Named("2.4 sample request with long-term authentication");
        var key = StunIntegrityKey.LongTerm(vector["username_utf8"]!, vector["realm"]!, vector["password_after_saslprep"]!);

        var expected = System.Security.Cryptography.MD5.HashData("マトリックス:example.org:TheMatrIX"u8);
        Assert.Equal(expected, key.ToArray());
    }

    [Fact]
    public void The_password_before_saslprep_does_not_verify_because_we_do_not_prepare_passwords()
    {
        var vector = Rfc5769Vectors.Named("2.4 sample request with long-term authentication");
        var received = StunMessageParser.Parse(vector.Bytes).Message!;
        var key = StunIntegrityKey.LongTerm(vector["username_utf8"]!, vector["realm"]!, vector["password_before_saslprep"]!);

        Assert.False(received.VerifyMessageIntegrity(key));
    }

    [Fact]
    public void Padding_content_is_ignored_when_parsing()
    {
        var vector = Rfc5769Vectors.Named("2.1 sample request");
        var zeroPadded = (byte[])vector.Bytes.Clone();
        // SOFTWARE "STUN test client" is 16 bytes (no padding); USERNAME "evtj:h6vY" is 9 bytes + 3 padding.
        var usernamePadding = Convert.ToHexStringLower(zeroPadded).IndexOf("6576746a3a68367659", StringComparison.Ordinal) / 2 + 9;
        zeroPadded.AsSpan(usernamePadding, 3).Clear();

        var received = StunMessageParser.Parse(zeroPadded).Message!;

        Assert.Equal("evtj:h6vY", received.Message.Get<UsernameAttribute>()?.Value);
        Assert.False(received.VerifyMessageIntegrity(StunIntegrityKey.ShortTerm(vector["short_term_password"]!)));
    }

    private static StunClass ExpectedClass(string name) => name switch
    {
        "request" => StunClass.Request,
        "indication" => StunClass.Indication,
        "success" => StunClass.SuccessResponse,
        "error" => StunClass.ErrorResponse,
        _ => throw new ArgumentException($"Unknown class {name}"),
    };

    private static StunIntegrityKey KeyFor(Rfc5769Vector vector) =>
        vector["short_term_password"] is { } password
            ? StunIntegrityKey.ShortTerm(password)
            : StunIntegrityKey.LongTerm(vector["username_utf8"]!, vector["realm"]!, vector["password_after_saslprep"]!);

    private static string? RawHex(StunMessage message, ushort type) =>
        message.Attributes.OfType<RawStunAttribute>().FirstOrDefault(attribute => attribute.Type == type) is { } raw
            ? Convert.ToHexStringLower(raw.Value)
            : null;

    /// <summary>The RFC pads with spaces in 2.1–2.3 and zeros in 2.4; read it from the first padded attribute.</summary>
    private static byte PaddingByteOf(byte[] message)
    {
        for (var offset = StunWire.HeaderLength; offset + StunWire.AttributeHeaderLength <= message.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 2));
            var end = offset + StunWire.AttributeHeaderLength + length;
            if (length % StunWire.Alignment != 0)
                return message[end];
            offset = end;
        }
        return 0;
    }
}
