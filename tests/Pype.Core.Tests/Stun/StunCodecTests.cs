using System.Buffers.Binary;
using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Xunit;

namespace Pype.Core.Tests.Stun;

public class StunCodecTests
{
    private static readonly StunTransactionId TransactionId = StunTransactionId.FromHex("b7e7a701bc34d686fa87dfae");

    [Theory]
    [InlineData(StunClass.Request, 0x001, 0x0001)]
    [InlineData(StunClass.Indication, 0x001, 0x0011)]
    [InlineData(StunClass.SuccessResponse, 0x001, 0x0101)]
    [InlineData(StunClass.ErrorResponse, 0x001, 0x0111)]
    [InlineData(StunClass.Request, 0x003, 0x0003)]
    [InlineData(StunClass.ErrorResponse, 0xFFF, 0x3FFF)]
    public void Class_and_method_interleave_into_the_message_type_as_rfc_8489_figure_3_shows(StunClass stunClass, ushort method, ushort encoded)
    {
        var type = new StunMessageType(stunClass, (StunMethod)method);
        Assert.Equal(encoded, type.Encode());
        Assert.Equal(type, StunMessageType.Decode(encoded));
    }

    [Fact]
    public void The_crc_32_is_the_iso_hdlc_one() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Theory]
    [InlineData("192.0.2.1:32853")]
    [InlineData("[2001:db8:1234:5678:11:2233:4455:6677]:32853")]
    [InlineData("0.0.0.0:0")]
    [InlineData("[::1]:65535")]
    public void Both_address_attributes_round_trip_ipv4_and_ipv6(string endPoint)
    {
        var address = IPEndPoint.Parse(endPoint);
        var message = new StunMessage(StunMessageType.BindingSuccess, TransactionId,
            new XorMappedAddressAttribute(address), new MappedAddressAttribute(address));

        var decoded = Parse(StunMessageEncoder.Encode(message)).Message;

        Assert.Equal(address, decoded.Get<XorMappedAddressAttribute>()?.EndPoint);
        Assert.Equal(address, decoded.Get<MappedAddressAttribute>()?.EndPoint);
    }

    [Fact]
    public void The_xor_mapped_port_is_xored_with_the_top_of_the_magic_cookie()
    {
        var message = new StunMessage(StunMessageType.BindingSuccess, TransactionId, new XorMappedAddressAttribute(IPEndPoint.Parse("192.0.2.1:32853")));
        var bytes = StunMessageEncoder.Encode(message, StunMessageProtection.Unprotected);
        Assert.Equal(32853 ^ 0x2112, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(StunWire.HeaderLength + 6)));
        Assert.Equal("e112a643", Convert.ToHexStringLower(bytes.AsSpan(StunWire.HeaderLength + 8, 4)));
    }

    [Fact]
    public void An_error_code_splits_into_class_and_number()
    {
        var message = new StunMessage(StunMessageType.BindingError, TransactionId, new ErrorCodeAttribute(420, "Unknown Attribute"));
        var bytes = StunMessageEncoder.Encode(message, StunMessageProtection.Unprotected);

        Assert.Equal(new byte[] { 0, 0, 4, 20 }, bytes.AsSpan(StunWire.HeaderLength + 4, 4).ToArray());
        var error = Parse(bytes).Message.Get<ErrorCodeAttribute>();
        Assert.Equal((420, "Unknown Attribute"), (error?.Code, error?.ReasonPhrase));
    }

    [Theory]
    [InlineData(2, 99)]
    [InlineData(7, 0)]
    [InlineData(4, 100)]
    public void An_error_code_outside_300_to_699_is_malformed(byte hundreds, byte remainder)
    {
        var bytes = Message(StunAttributeType.ErrorCode, [0, 0, hundreds, remainder]);
        Assert.Equal(StunParseError.AttributeMalformed, StunMessageParser.Parse(bytes).Error);
    }

    [Fact]
    public void Unknown_attributes_list_their_types()
    {
        var message = new StunMessage(StunMessageType.BindingError, TransactionId, new UnknownAttributesAttribute([0x0024, 0x7777, 0x0025]));
        Assert.Equal([0x0024, 0x7777, 0x0025], Parse(StunMessageEncoder.Encode(message)).Message.Get<UnknownAttributesAttribute>()!.Types);
    }

    [Fact]
    public void An_unregistered_attribute_passes_through_raw_and_counts_as_unknown_when_comprehension_is_required()
    {
        var message = new StunMessage(StunMessageType.BindingRequest, TransactionId,
            new RawStunAttribute(0x0024, [1, 2, 3, 4]), new RawStunAttribute(0x8029, [5, 6, 7]));

        var decoded = Parse(StunMessageEncoder.Encode(message)).Message;

        Assert.Equal(message, decoded);
        Assert.Equal([(ushort)0x0024], decoded.UnknownComprehensionRequiredTypes());
    }

    [Fact]
    public void Integrity_with_sha1_and_sha256_and_a_fingerprint_all_verify()
    {
        var key = StunIntegrityKey.ShortTerm("secret");
        var message = new StunMessage(StunMessageType.BindingRequest, TransactionId, new UsernameAttribute("alice:bob"));
        var bytes = StunMessageEncoder.Encode(message, StunMessageProtection.WithIntegrity(key, StunIntegrityAlgorithms.Sha1 | StunIntegrityAlgorithms.Sha256));

        var received = Parse(bytes);

        Assert.True(received.HasMessageIntegrity && received.HasMessageIntegritySha256 && received.HasFingerprint);
        Assert.True(received.VerifyMessageIntegrity(key));
        Assert.True(received.VerifyFingerprint());
        Assert.False(received.VerifyMessageIntegrity(StunIntegrityKey.ShortTerm("Secret")));
    }

    [Fact]
    public void Attributes_after_message_integrity_other_than_fingerprint_are_ignored()
    {
        var key = StunIntegrityKey.ShortTerm("secret");
        var protectedBytes = StunMessageEncoder.Encode(
            new StunMessage(StunMessageType.BindingRequest, TransactionId, new UsernameAttribute("alice")),
            StunMessageProtection.WithIntegrity(key, fingerprint: false));
        var smuggled = Append(protectedBytes, StunAttributeType.Username, "mallory"u8);

        var received = Parse(smuggled);

        Assert.Equal("alice", received.Message.Get<UsernameAttribute>()?.Value);
        Assert.Single(received.Message.Attributes);
        Assert.True(received.VerifyMessageIntegrity(key));
    }

    [Fact]
    public void Anything_after_fingerprint_makes_the_message_malformed()
    {
        var bytes = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, TransactionId));
        var extended = Append(bytes, StunAttributeType.Software, "x"u8);
        Assert.Equal(StunParseError.AttributeAfterFingerprint, StunMessageParser.Parse(extended).Error);
    }

    [Fact]
    public void A_message_without_integrity_fails_verification() =>
        Assert.False(Parse(StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, TransactionId)))
            .VerifyMessageIntegrity(StunIntegrityKey.ShortTerm("secret")));

    [Theory]
    [InlineData("", StunParseError.ShorterThanHeader)]
    [InlineData("000100002112a442b7e7a701bc34d686fa87df", StunParseError.ShorterThanHeader)]
    [InlineData("400100002112a442b7e7a701bc34d686fa87dfae", StunParseError.TopBitsNotZero)]
    [InlineData("000100022112a442b7e7a701bc34d686fa87dfae0000", StunParseError.LengthNotMultipleOfFour)]
    [InlineData("000100042112a442b7e7a701bc34d686fa87dfae", StunParseError.LengthDisagreesWithDatagram)]
    [InlineData("000100002112a443b7e7a701bc34d686fa87dfae", StunParseError.WrongMagicCookie)]
    [InlineData("000100042112a442b7e7a701bc34d686fa87dfae80220001", StunParseError.AttributeTruncated)]
    [InlineData("000100082112a442b7e7a701bc34d686fa87dfae8028000500000000", StunParseError.AttributeTruncated)]
    [InlineData("0001000c2112a442b7e7a701bc34d686fa87dfae002000080003000100000000", StunParseError.AttributeMalformed)]
    [InlineData("000100082112a442b7e7a701bc34d686fa87dfae0006000480ffffff", StunParseError.AttributeMalformed)]
    public void Malformed_datagrams_are_rejected_with_a_reason(string hex, StunParseError expected) =>
        Assert.Equal(expected, StunMessageParser.Parse(Convert.FromHexString(hex)).Error);

    [Fact]
    public void Datagrams_over_1500_bytes_are_rejected() =>
        Assert.Equal(StunParseError.LongerThanMaximum, StunMessageParser.Parse(new byte[StunWire.MaxMessageLength + 4]).Error);

    [Fact]
    public void More_than_64_attributes_are_rejected()
    {
        var attributes = Enumerable.Range(0, StunWire.MaxAttributeCount + 1)
            .Select(_ => (StunAttribute)new RawStunAttribute(0x8FFF, []))
            .ToArray();
        var bytes = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, TransactionId, attributes), StunMessageProtection.Unprotected);
        Assert.Equal(StunParseError.TooManyAttributes, StunMessageParser.Parse(bytes).Error);
    }

    private static ReceivedStunMessage Parse(byte[] bytes)
    {
        var result = StunMessageParser.Parse(bytes);
        Assert.True(result.IsSuccess, result.Error.ToString());
        return result.Message;
    }

    private static byte[] Message(ushort attributeType, ReadOnlySpan<byte> value) =>
        Append(StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, TransactionId), StunMessageProtection.Unprotected), attributeType, value);

    /// <summary>Appends an attribute after whatever the message already carries and fixes up the length.</summary>
    private static byte[] Append(byte[] message, ushort attributeType, ReadOnlySpan<byte> value)
    {
        var padded = StunWire.Padded(value.Length);
        var result = new byte[message.Length + StunWire.AttributeHeaderLength + padded];
        message.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(message.Length), attributeType);
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(message.Length + 2), (ushort)value.Length);
        value.CopyTo(result.AsSpan(message.Length + StunWire.AttributeHeaderLength));
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(2), (ushort)(result.Length - StunWire.HeaderLength));
        return result;
    }
}
