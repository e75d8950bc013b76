using Pype.Core.Rtp.Feedback;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class FrameArrivalJitterTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private const uint TicksPerFrame = 3000; // 30 fps at 90 kHz

    [Fact]
    public void A_keyframes_packets_spread_over_time_are_not_jitter_but_they_are_for_RFC_3550()
    {
        var frames = new FrameArrivalJitter(90_000);
        var packets = new RtpReceiveStatistics(0xA1, 90_000);
        ushort sequence = 0;
        var (framesMax, packetsMax) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var frame = 0; frame < 300; frame++)
        {
            var timestamp = 1000 + (uint)frame * TicksPerFrame;
            var firstArrival = Start + TimeSpan.FromMilliseconds(frame * 100 / 3.0);
            var count = frame % 30 == 0 ? 40 : 2; // a keyframe each second takes 20 ms to arrive whole
            for (var i = 0; i < count; i++)
            {
                var arrival = firstArrival + TimeSpan.FromMilliseconds(i * 0.5);
                frames.OnPacket(timestamp, arrival);
                packets.Receive(sequence++, timestamp, arrival);
                framesMax = frames.Jitter > framesMax ? frames.Jitter : framesMax;
                packetsMax = packets.JitterTime > packetsMax ? packets.JitterTime : packetsMax;
            }
        }

        Assert.Equal(300, frames.FramesCounted);
        Assert.True(framesMax < TimeSpan.FromMilliseconds(0.1), $"per frame {framesMax.TotalMilliseconds} ms");
        Assert.True(packetsMax > TimeSpan.FromMilliseconds(1), $"per packet {packetsMax.TotalMilliseconds} ms");
    }

    [Fact]
    public void Frames_that_begin_to_arrive_unevenly_are_counted_and_old_timestamps_are_ignored()
    {
        var frames = new FrameArrivalJitter(90_000);
        for (var frame = 0; frame < 300; frame++)
        {
            var timestamp = unchecked(uint.MaxValue - 100_000 + (uint)frame * TicksPerFrame); // wraps on the way
            var late = frame % 2 == 0 ? 0 : 10;
            frames.OnPacket(timestamp, Start + TimeSpan.FromMilliseconds(frame * 100 / 3.0 + late));
            // A retransmission of an earlier frame, arriving much later, says nothing of the path.
            if (frame > 5) frames.OnPacket(timestamp - 5 * TicksPerFrame, Start + TimeSpan.FromMilliseconds(frame * 100 / 3.0 + 80));
        }

        Assert.Equal(300, frames.FramesCounted);
        // Every frame's transit changes by 10 ms: A.8's estimate converges on 10 ms.
        Assert.InRange(frames.Jitter.TotalMilliseconds, 9.5, 10.0);
    }
}
