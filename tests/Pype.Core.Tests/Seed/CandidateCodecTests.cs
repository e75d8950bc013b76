using System.Net;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>The session layer's candidate list and link-upkeep codecs, which the seed protocol builds on.</summary>
public sealed class CandidateCodecTests
{
    private static readonly IReadOnlyList<Candidate> Mixed =
    [
        new(CandidateKind.Host, IPEndPoint.Parse("192.168.1.20:40000")),
        new(CandidateKind.ServerReflexive, IPEndPoint.Parse("[2001:db8::1]:1")),
        new(CandidateKind.PeerReflexive, IPEndPoint.Parse("203.0.113.5:65535")),
        new(CandidateKind.Relayed, IPEndPoint.Parse("[fd00::2]:3478")),
    ];

    private static byte[] Encode(IReadOnlyList<Candidate> candidates)
    {
        var buffer = new byte[CandidateCodec.EncodedLength(candidates)];
        Assert.Equal(buffer.Length, CandidateCodec.Write(buffer, candidates));
        return buffer;
    }

    [Fact]
    public void Candidates_of_every_kind_and_family_survive_a_round_trip()
    {
        var encoded = Encode(Mixed);

        Assert.True(CandidateCodec.TryRead([.. encoded, 0xAA], out var decoded, out var consumed));

        Assert.Equal(Mixed, decoded);
        Assert.Equal(encoded.Length, consumed);
    }

    [Fact]
    public void An_empty_list_is_one_zero_byte() => Assert.Equal([0], Encode([]));

    [Fact]
    public void Every_truncation_is_refused()
    {
        var encoded = Encode(Mixed);
        for (var length = 0; length < encoded.Length; length++)
            Assert.False(CandidateCodec.TryRead(encoded.AsSpan(0, length), out _, out _), $"{length} bytes");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(255)]
    public void An_unknown_kind_is_refused(byte kind)
    {
        var encoded = Encode([Mixed[0]]);
        encoded[1] = kind;
        Assert.False(CandidateCodec.TryRead(encoded, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(16)]
    public void An_unknown_address_family_is_refused(byte family)
    {
        var encoded = Encode([Mixed[0]]);
        encoded[2] = family;
        Assert.False(CandidateCodec.TryRead(encoded, out _, out _));
    }

    [Fact]
    public void A_zero_port_is_refused()
    {
        var encoded = Encode([Mixed[0]]);
        encoded[^2] = 0;
        encoded[^1] = 0;
        Assert.False(CandidateCodec.TryRead(encoded, out _, out _));
    }

    [Fact]
    public void More_than_eight_candidates_are_refused_when_read_and_when_written()
    {
        Assert.False(CandidateCodec.TryRead([9, .. new byte[200]], out _, out _));
        var nine = Enumerable.Repeat(Mixed[0], 9).ToArray();
        Assert.Throws<ArgumentException>(() => CandidateCodec.Write(new byte[400], nine));
    }

    [Fact]
    public void Ping_and_pong_carry_their_nonce_and_nothing_else()
    {
        Assert.True(LinkMessages.TryReadNonce(LinkMessages.Ping(0x0102030405060708), SessionMessageType.Ping, out var nonce));
        Assert.Equal(0x0102030405060708UL, nonce);
        Assert.True(LinkMessages.TryReadNonce(LinkMessages.Pong(7), SessionMessageType.Pong, out var echoed));
        Assert.Equal(7UL, echoed);
        Assert.Equal([(byte)SessionMessageType.Keepalive], LinkMessages.Keepalive());
    }

    [Fact]
    public void A_ping_read_as_a_pong_or_cut_short_or_padded_is_refused()
    {
        var ping = LinkMessages.Ping(1);
        Assert.False(LinkMessages.TryReadNonce(ping, SessionMessageType.Pong, out _));
        Assert.False(LinkMessages.TryReadNonce(ping[..^1], SessionMessageType.Ping, out _));
        Assert.False(LinkMessages.TryReadNonce([.. ping, 0], SessionMessageType.Ping, out _));
        Assert.False(LinkMessages.TryReadNonce([], SessionMessageType.Ping, out _));
    }
}
