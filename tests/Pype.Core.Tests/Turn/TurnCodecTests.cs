using System.Net;
using System.Text;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Pype.Core.Tests.Stun;
using Pype.Core.Turn;
using Xunit;

namespace Pype.Core.Tests.Turn;

public class TurnCodecTests
{
    private static readonly StunTransactionId Id = StunTransactionId.FromHex("b7e7a701bc34d686fa87dfae");

    public static TheoryData<StunAttribute> TurnAttributes => new()
    {
        new ChannelNumberAttribute(0x4001),
        new LifetimeAttribute(600),
        new XorPeerAddressAttribute(IPEndPoint.Parse("192.0.2.1:32853")),
        new XorPeerAddressAttribute(IPEndPoint.Parse("[2001:db8::1]:9")),
        new DataAttribute([1, 2, 3, 4, 5]),
        new DataAttribute([]),
        new XorRelayedAddressAttribute(IPEndPoint.Parse("198.51.100.1:50000")),
        new RequestedAddressFamilyAttribute(RequestedAddressFamilyAttribute.IPv6),
        new EvenPortAttribute(true),
        new EvenPortAttribute(false),
        new RequestedTransportAttribute(RequestedTransportAttribute.Udp),
        new DontFragmentAttribute(),
        new ReservationTokenAttribute(0x0102030405060708),
        new AlternateServerAttribute(IPEndPoint.Parse("203.0.113.9:3478")),
    };

    [Theory]
    [MemberData(nameof(TurnAttributes))]
    public void Each_turn_attribute_survives_encoding_and_parsing_and_is_understood(StunAttribute attribute)
    {
        var message = new StunMessage(new StunMessageType(StunClass.Request, StunMethod.Allocate), Id, attribute);
        var parsed = StunMessageParser.Parse(StunMessageEncoder.Encode(message)).Message!;

        Assert.Equal(message, parsed.Message);
        Assert.Empty(parsed.Message.UnknownComprehensionRequiredTypes());
    }

    [Theory]
    [InlineData(StunMethod.Allocate, 0x003, 0x0003, 0x0103, 0x0113)]
    [InlineData(StunMethod.Refresh, 0x004, 0x0004, 0x0104, 0x0114)]
    [InlineData(StunMethod.CreatePermission, 0x008, 0x0008, 0x0108, 0x0118)]
    [InlineData(StunMethod.ChannelBind, 0x009, 0x0009, 0x0109, 0x0119)]
    public void Turn_methods_have_the_rfc_8656_type_codes(StunMethod method, int number, int request, int success, int error)
    {
        Assert.Equal(number, (int)method);
        Assert.Equal(request, new StunMessageType(StunClass.Request, method).Encode());
        Assert.Equal(success, new StunMessageType(StunClass.SuccessResponse, method).Encode());
        Assert.Equal(error, new StunMessageType(StunClass.ErrorResponse, method).Encode());
    }

    [Fact]
    public void Send_and_data_indications_have_the_rfc_8656_type_codes()
    {
        Assert.Equal(0x0016, new StunMessageType(StunClass.Indication, StunMethod.Send).Encode());
        Assert.Equal(0x0017, new StunMessageType(StunClass.Indication, StunMethod.Data).Encode());
    }

    [Fact]
    public void Requested_transport_udp_is_protocol_17_followed_by_three_zero_bytes()
    {
        var bytes = StunMessageEncoder.Encode(
            new StunMessage(new StunMessageType(StunClass.Request, StunMethod.Allocate), Id, new RequestedTransportAttribute(17)),
            StunMessageProtection.Unprotected);
        Assert.Equal("0019000411000000", Convert.ToHexStringLower(bytes[20..]));
    }

    [Theory]
    [InlineData("000c0003400000")]     // CHANNEL-NUMBER of 3 bytes
    [InlineData("000d00050000025800")] // LIFETIME of 5 bytes
    [InlineData("001800028000")]       // EVEN-PORT of 2 bytes
    [InlineData("001a000100")]         // DONT-FRAGMENT with a value
    [InlineData("0022000401020304")]   // RESERVATION-TOKEN of 4 bytes
    [InlineData("001600020001")]       // XOR-RELAYED-ADDRESS cut short
    public void Malformed_turn_attribute_values_reject_the_message(string attributeHex)
    {
        var attribute = Convert.FromHexString(attributeHex);
        var padded = new byte[StunWire.Padded(attribute.Length)];
        attribute.CopyTo(padded, 0);
        var bytes = new byte[20 + padded.Length];
        bytes[1] = 0x03;
        bytes[3] = (byte)padded.Length;
        new byte[] { 0x21, 0x12, 0xA4, 0x42 }.CopyTo(bytes, 4);
        padded.CopyTo(bytes, 20);

        Assert.Equal(StunParseError.AttributeMalformed, StunMessageParser.Parse(bytes).Error);
    }

    [Fact]
    public void Requested_address_family_other_than_ipv4_or_ipv6_is_malformed()
    {
        var bytes = StunMessageEncoder.Encode(
            new StunMessage(new StunMessageType(StunClass.Request, StunMethod.Allocate), Id, new RequestedAddressFamilyAttribute(3)),
            StunMessageProtection.Unprotected);
        Assert.Equal(StunParseError.AttributeMalformed, StunMessageParser.Parse(bytes).Error);
    }

    [Fact]
    public void Rfc5769_long_term_vector_verifies_with_the_md5_key_and_not_with_another_realm()
    {
        var vector = Rfc5769Vectors.Named("2.4 sample request with long-term authentication");
        var received = StunMessageParser.Parse(vector.Bytes).Message!;
        var username = received.Message.Get<UsernameAttribute>()!.Value;
        var realm = received.Message.Get<RealmAttribute>()!.Value;
        var key = StunIntegrityKey.LongTerm(username, realm, "TheMatrIX");

        Assert.Equal(("マトリックス", "example.org"), (username, realm));
        Assert.Equal(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("マトリックス:example.org:TheMatrIX")), key.ToArray());
        Assert.True(received.VerifyMessageIntegrity(key));
        Assert.False(received.VerifyMessageIntegrity(StunIntegrityKey.LongTerm(username, "example.com", "TheMatrIX")));
        Assert.False(received.VerifyMessageIntegrity(StunIntegrityKey.ShortTerm("TheMatrIX")));
    }

    [Fact]
    public void A_request_we_sign_with_the_long_term_key_verifies_as_the_rfc_vector_does()
    {
        var vector = Rfc5769Vectors.Named("2.4 sample request with long-term authentication");
        var original = StunMessageParser.Parse(vector.Bytes).Message!;
        var key = StunIntegrityKey.LongTerm("マトリックス", "example.org", "TheMatrIX");

        var reencoded = StunMessageEncoder.Encode(original.Message, StunMessageProtection.WithIntegrity(key, fingerprint: false));

        // RFC 5769 §2.4 pads with zeros, as we do, so the bytes come out identical.
        Assert.Equal(vector.Bytes, reencoded);
    }

    [Theory]
    [InlineData(0x4000, 0, false, "40000000")]
    [InlineData(0x4FFF, 3, false, "4fff0003010203")]
    [InlineData(0x4001, 3, true, "4001000301020300")]
    public void Channel_data_has_a_four_byte_header_and_optional_padding(int channel, int length, bool pad, string hex)
    {
        var payload = Enumerable.Range(1, length).Select(i => (byte)i).ToArray();
        var bytes = ChannelData.Encode((ushort)channel, payload, pad);

        Assert.Equal(hex, Convert.ToHexStringLower(bytes));
        Assert.Equal(ChannelDataError.None, ChannelData.TryParse(bytes, out var parsedChannel, out var parsedPayload));
        Assert.Equal(channel, parsedChannel);
        Assert.Equal(payload, parsedPayload.ToArray());
    }

    [Theory]
    [InlineData("4000", ChannelDataError.ShorterThanHeader)]
    [InlineData("3fff0000", ChannelDataError.ChannelNumberOutOfRange)]
    [InlineData("50000000", ChannelDataError.ChannelNumberOutOfRange)]
    [InlineData("4000000501020304", ChannelDataError.ShorterThanDeclared)]
    [InlineData("400000010100000000", ChannelDataError.LongerThanPadding)]
    [InlineData("4000000101000000", ChannelDataError.None)]
    public void Channel_data_is_checked_against_the_datagram(string hex, ChannelDataError expected) =>
        Assert.Equal(expected, ChannelData.TryParse(Convert.FromHexString(hex), out _, out _));

    [Fact]
    public void Encoding_channel_data_on_a_reserved_channel_is_a_programming_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelData.Encode(0x5000, []));

    /// <summary>The expected password was computed outside .NET: printf '1767225600:alice' | openssl dgst -sha1 -hmac S3cr3t -binary | base64.</summary>
    [Fact]
    public void Rest_credentials_match_an_independently_computed_hmac()
    {
        var credentials = TurnRestCredentials.Create("S3cr3t", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "alice");

        Assert.Equal("1767225600:alice", credentials.Username);
        Assert.Equal("Ao4MXhZ3H5+s33c0s3scUSn7ZBY=", credentials.Password);
        Assert.DoesNotContain("Ao4M", credentials.ToString());
    }

    [Fact]
    public void Rest_credentials_refuse_an_id_with_the_separator_and_an_empty_secret()
    {
        Assert.Throws<ArgumentException>(() => TurnRestCredentials.Create("s", DateTimeOffset.UnixEpoch, "a:b"));
        Assert.Throws<ArgumentException>(() => TurnRestCredentials.Create("", DateTimeOffset.UnixEpoch, "a"));
    }
}
