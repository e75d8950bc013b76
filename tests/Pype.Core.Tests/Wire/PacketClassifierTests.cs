using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Wire;

public class PacketClassifierTests
{
    [Fact]
    public void An_empty_datagram_is_unknown() =>
        Assert.Equal(PacketKind.Unknown, PacketClassifier.Classify([]));

    [Theory]
    [InlineData(0), InlineData(1), InlineData(2), InlineData(3)]
    public void First_bytes_zero_to_three_are_stun(byte first) =>
        Assert.Equal(PacketKind.Stun, PacketClassifier.Classify([first, 0xFF]));

    [Theory]
    [InlineData(64), InlineData(70), InlineData(79)]
    public void First_bytes_64_to_79_are_turn_channel_data(byte first) =>
        Assert.Equal(PacketKind.TurnChannelData, PacketClassifier.Classify([first]));

    [Theory]
    [InlineData(0xE0), InlineData(0xE1), InlineData(0xE2), InlineData(0xE3), InlineData(0xEF)]
    public void First_bytes_E0_to_EF_are_pype(byte first) =>
        Assert.Equal(PacketKind.Pype, PacketClassifier.Classify([first]));

    [Fact]
    public void Every_other_first_byte_is_unknown()
    {
        for (var first = 0; first <= 255; first++)
        {
            var expectedKnown = first is <= 3 or (>= 64 and <= 79) or (>= 0xE0 and <= 0xEF);
            var kind = PacketClassifier.Classify([(byte)first]);
            Assert.Equal(expectedKnown, kind != PacketKind.Unknown);
        }
    }
}
