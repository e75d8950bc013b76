using System.Net;
using System.Security.Cryptography;
using Pype.Core.Stun;
using Pype.Core.Stun.Attributes;
using Xunit;

namespace Pype.Core.Tests.Stun;

public class StunBindingClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Server = IPEndPoint.Parse("198.51.100.1:3478");

    [Fact]
    public void A_client_and_the_responder_together_discover_the_public_endpoint()
    {
        var client = new StunBindingClient(Start, Server, new CountingRandom());
        var publicEndPoint = IPEndPoint.Parse("203.0.113.50:61000");

        var request = client.PollTransmit()!.Value;
        var answer = StunBindingResponder.Respond(request.Datagram.Span, publicEndPoint)!;
        client.Handle(Start + TimeSpan.FromMilliseconds(30), StunMessageParser.Parse(answer).Message!);

        Assert.Equal(new StunMappedAddressDiscovered(publicEndPoint), client.PollEvent());
        Assert.Null(client.PollEvent());
    }

    [Fact]
    public void The_transaction_id_comes_from_the_injected_random_source() =>
        Assert.Equal("000102030405060708090a0b", new StunBindingClient(Start, Server, new CountingRandom()).TransactionId.ToString());

    [Fact]
    public void A_client_without_an_answer_reports_a_timeout()
    {
        var client = new StunBindingClient(Start, Server, new CountingRandom());
        while (client.NextDeadline is { } deadline)
            client.HandleTimeout(deadline);
        Assert.IsType<StunBindingTimedOut>(client.PollEvent());
    }

    [Fact]
    public void A_mapped_address_from_an_old_server_is_accepted()
    {
        var client = new StunBindingClient(Start, Server, new CountingRandom());
        var old = StunMessageEncoder.Encode(new StunMessage(StunMessageType.BindingSuccess, client.TransactionId,
            new MappedAddressAttribute(IPEndPoint.Parse("203.0.113.50:61000"))));
        client.Handle(Start, StunMessageParser.Parse(old).Message!);
        Assert.Equal(new StunMappedAddressDiscovered(IPEndPoint.Parse("203.0.113.50:61000")), client.PollEvent());
    }

    /// <summary>Deterministic bytes 0, 1, 2, … so tests can predict the transaction id.</summary>
    private sealed class CountingRandom : RandomNumberGenerator
    {
        private byte _next;

        public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

        public override void GetBytes(Span<byte> data)
        {
            for (var i = 0; i < data.Length; i++)
                data[i] = _next++;
        }
    }
}
