using CsCheck;
using Pype.Core.Calls;
using Pype.Core.Session;
using Xunit;

namespace Pype.Core.Tests.Calls;

public sealed class CallMessageCodecTests
{
    private const int Cases = 100_000;
    private static readonly UInt128 Id = new(0x0123456789abcdef, 0xfedcba9876543210);
    private static readonly MediaOffer Offer = MediaOffer.Create(0xaabbccdd, 0x11223344);

    private static readonly CallMessage[] Samples =
    [
        new CallMessage.Invite(Id, Offer),
        new CallMessage.Ringing(Id),
        new CallMessage.Accept(Id, Offer with { Limits = new VideoLimits(640, 360, 15, 500) }),
        new CallMessage.Reject(Id, RejectReason.Busy),
        new CallMessage.HangUp(Id, HangUpReason.RingingTimeout),
        new CallMessage.Ack(Id, SessionMessageType.CallAccept),
    ];

    private static readonly byte[][] Encoded = Samples.Select(CallMessageCodec.Encode).ToArray();

    [Fact]
    public void Every_message_round_trips_and_fits_a_datagram()
    {
        foreach (var message in Samples)
        {
            var bytes = CallMessageCodec.Encode(message);

            Assert.True(CallMessageCodec.TryDecode(bytes, out var decoded));
            Assert.Equal(message, decoded);
            Assert.True(CallMessageCodec.IsCallMessage(bytes));
            Assert.InRange(bytes.Length, CallMessageCodec.HeaderLength, CallMessageCodec.MaxMessageLength);
        }
    }

    [Fact]
    public void The_invite_is_laid_out_big_endian_as_documented()
    {
        var bytes = CallMessageCodec.Encode(Samples[0]);

        Assert.Equal(
            "3001" + "0123456789abcdeffedcba9876543210"
            + "01" + "0500" + "02d0" + "1e" + "000007d0" + "01" + "0000bb80" + "14" + "aabbccdd" + "11223344",
            Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Media_offers_round_trip_through_their_call_list_form()
    {
        Gen.Select(Gen.UShort[16, 4096], Gen.UShort[16, 4096], Gen.Byte[1, 120], Gen.UInt[8, 50_000], Gen.UInt, Gen.UInt)
            .Sample((width, height, fps, kbps, video, audio) =>
            {
                var offer = MediaOffer.Create(video, audio, new VideoLimits(width, height, fps, kbps));
                Assert.True(MediaOffer.TryDecode(offer.Encode(), out var decoded));
                Assert.Equal(offer, decoded);
            }, iter: 1_000);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 0)]
    [InlineData(3, 9)]
    [InlineData(4, 0)]
    [InlineData(5, 0x35)]
    [InlineData(5, 0x20)]
    public void Unknown_versions_reasons_and_acknowledged_types_are_refused(int sample, byte value)
    {
        var bytes = (byte[])Encoded[sample].Clone();
        bytes[sample == 1 ? 1 : ^1] = value;

        Assert.False(CallMessageCodec.TryDecode(bytes, out _));
    }

    [Fact]
    public void Trailing_bytes_and_out_of_bounds_limits_are_refused()
    {
        Assert.False(CallMessageCodec.TryDecode([.. Encoded[1], 0], out _));
        var tooWide = CallMessageCodec.Encode(new CallMessage.Invite(Id, Offer with { Limits = new VideoLimits(8192, 720, 30, 2000) }));
        Assert.False(CallMessageCodec.TryDecode(tooWide, out _));
        Assert.False(CallMessageCodec.TryDecode([0x36, .. Encoded[1][1..]], out _));
    }

    [Fact]
    public void Random_bytes_never_make_the_decoder_throw()
    {
        Gen.Byte.Array[0, 80].Sample(bytes =>
        {
            CallMessageCodec.TryDecode(bytes, out _);
            MediaOffer.TryDecode(bytes, out _);
        }, iter: Cases);
    }

    [Fact]
    public void Random_bodies_behind_each_call_type_never_make_the_decoder_throw()
    {
        Gen.Select(Gen.Byte[0x30, 0x35], Gen.Byte.Array[16, 60]).Sample((type, rest) =>
        {
            CallMessageCodec.TryDecode([type, CallMessageCodec.ProtocolVersion, .. rest], out _);
        }, iter: Cases);
    }

    [Fact]
    public void Truncated_messages_never_decode()
    {
        Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.Int[0, CallMessageCodec.MaxMessageLength]).Sample((which, cut) =>
        {
            var sample = Encoded[which];
            Assert.False(CallMessageCodec.TryDecode(sample.AsSpan(0, Math.Min(cut, sample.Length - 1)), out _));
        }, iter: Cases);
    }

    [Fact]
    public void Bit_flipped_messages_never_throw_and_decode_only_to_well_formed_messages()
    {
        Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.Int[0, 8 * CallMessageCodec.MaxMessageLength - 1], Gen.Int[0, 3]).Sample((which, bit, extra) =>
        {
            var bytes = (byte[])Encoded[which].Clone();
            for (var flip = 0; flip <= extra; flip++)
            {
                var at = (bit + flip * 37) % (bytes.Length * 8);
                bytes[at / 8] ^= (byte)(1 << (at % 8));
            }

            if (CallMessageCodec.TryDecode(bytes, out var decoded))
            {
                Assert.Equal(bytes, CallMessageCodec.Encode(decoded));
            }
        }, iter: Cases);
    }
}
