using System.Net;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Xunit;

namespace Pype.Core.Tests.Stun;

public class StunBindingResponderTests
{
    private static readonly StunTransactionId TransactionId = StunTransactionId.FromHex("0102030405060708090a0b0c");

    [Theory]
    [InlineData("203.0.113.7:40000")]
    [InlineData("[2001:db8::42]:5555")]
    public void A_binding_request_is_answered_with_the_source_as_xor_mapped_address(string source)
    {
        var response = Respond(BindingRequest(), IPEndPoint.Parse(source));

        Assert.Equal(StunMessageType.BindingSuccess, response.Type);
        Assert.Equal(TransactionId, response.TransactionId);
        Assert.Equal(IPEndPoint.Parse(source), response.Message.Get<XorMappedAddressAttribute>()?.EndPoint);
        Assert.Equal("pype", response.Message.Get<SoftwareAttribute>()?.Value);
        Assert.True(response.VerifyFingerprint());
    }

    [Fact]
    public void An_ipv4_peer_seen_through_a_dual_mode_socket_is_told_its_ipv4_address()
    {
        var response = Respond(BindingRequest(), IPEndPoint.Parse("[::ffff:198.51.100.9]:1234"));
        Assert.Equal(IPEndPoint.Parse("198.51.100.9:1234"), response.Message.Get<XorMappedAddressAttribute>()?.EndPoint);
    }

    [Fact]
    public void A_request_without_fingerprint_is_still_answered() =>
        Assert.NotNull(StunBindingResponder.Respond(BindingRequest(StunMessageProtection.Unprotected), IPEndPoint.Parse("192.0.2.1:1")));

    [Fact]
    public void An_unknown_comprehension_required_attribute_draws_a_420_listing_it()
    {
        var request = BindingRequest(StunMessageProtection.FingerprintOnly,
            new RawStunAttribute(StunAttributeType.Priority, [0, 0, 0, 1]),
            new RawStunAttribute(StunAttributeType.IceControlled, new byte[8]),
            new RawStunAttribute(0x7ABC, []));

        var response = Respond(request, IPEndPoint.Parse("192.0.2.1:1"));

        Assert.Equal(StunMessageType.BindingError, response.Type);
        Assert.Equal(420, response.Message.Get<ErrorCodeAttribute>()?.Code);
        Assert.Equal([StunAttributeType.Priority, (ushort)0x7ABC], response.Message.Get<UnknownAttributesAttribute>()?.Types);
        Assert.Null(response.Message.Get<XorMappedAddressAttribute>());
        Assert.True(response.VerifyFingerprint());
    }

    [Fact]
    public void An_unknown_comprehension_optional_attribute_is_ignored() =>
        Assert.Equal(StunMessageType.BindingSuccess, Respond(
            BindingRequest(StunMessageProtection.FingerprintOnly, new RawStunAttribute(StunAttributeType.IceControlled, new byte[8])),
            IPEndPoint.Parse("192.0.2.1:1")).Type);

    [Fact]
    public void The_rfc_5769_sample_request_is_answered_although_it_carries_ice_attributes_we_do_not_implement()
    {
        var vector = Rfc5769Vectors.Named("2.1 sample request");
        var response = Respond(vector.Bytes, IPEndPoint.Parse("192.0.2.1:32853"));
        Assert.Equal(420, response.Message.Get<ErrorCodeAttribute>()?.Code);
        Assert.Equal([StunAttributeType.Priority], response.Message.Get<UnknownAttributesAttribute>()?.Types);
    }

    [Fact]
    public void The_rfc_5769_long_term_request_is_answered_without_checking_its_credentials()
    {
        var vector = Rfc5769Vectors.Named("2.4 sample request with long-term authentication");
        var response = Respond(vector.Bytes, IPEndPoint.Parse("192.0.2.1:32853"));
        Assert.Equal(StunMessageType.BindingSuccess, response.Type);
        Assert.Equal(StunTransactionId.Read(vector.Bytes.AsSpan(8)), response.TransactionId);
    }

    [Theory]
    [InlineData(StunClass.Indication)]
    [InlineData(StunClass.SuccessResponse)]
    [InlineData(StunClass.ErrorResponse)]
    public void Anything_but_a_request_gets_no_answer(StunClass stunClass)
    {
        var message = StunMessageEncoder.Encode(new StunMessage(new StunMessageType(stunClass, StunMethod.Binding), TransactionId));
        Assert.Null(StunBindingResponder.Respond(message, IPEndPoint.Parse("192.0.2.1:1")));
    }

    [Fact]
    public void A_request_for_another_method_gets_no_answer()
    {
        var allocate = StunMessageEncoder.Encode(new StunMessage(new StunMessageType(StunClass.Request, (StunMethod)0x003), TransactionId));
        Assert.Null(StunBindingResponder.Respond(allocate, IPEndPoint.Parse("192.0.2.1:1")));
    }

    [Fact]
    public void A_request_with_a_wrong_fingerprint_gets_no_answer()
    {
        var request = BindingRequest();
        request[^1] ^= 1;
        Assert.Null(StunBindingResponder.Respond(request, IPEndPoint.Parse("192.0.2.1:1")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("e1000000000000000000000000000000000000000000")]
    [InlineData("000100002112a442")]
    public void Garbage_gets_no_answer(string hex) =>
        Assert.Null(StunBindingResponder.Respond(Convert.FromHexString(hex), IPEndPoint.Parse("192.0.2.1:1")));

    [Fact]
    public void A_request_is_told_from_a_response_so_the_node_answers_one_and_routes_the_other()
    {
        var request = BindingRequest();
        var response = StunBindingResponder.Respond(request, IPEndPoint.Parse("192.0.2.1:1"))!;

        Assert.True(StunBindingResponder.IsRequest(request));
        Assert.False(StunBindingResponder.IsRequest(response));
        Assert.False(StunBindingResponder.IsRequest(request.AsSpan(0, 1)));
    }

    private static byte[] BindingRequest(StunMessageProtection? protection = null, params StunAttribute[] attributes) =>
        StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingRequest, TransactionId, attributes), protection);

    private static ReceivedStunMessage Respond(byte[] request, IPEndPoint source)
    {
        var response = StunBindingResponder.Respond(request, source);
        Assert.NotNull(response);
        return StunMessageParser.Parse(response).Message!;
    }
}
