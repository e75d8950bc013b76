using CsCheck;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.Playout;
using Xunit;

namespace Pype.Core.Tests.Rtp;

/// <summary>Whatever order and numbering packets arrive in, the receive-side cores keep their bounds.</summary>
public sealed class FeedbackPropertyTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Mostly small steps forward, some reordering, now and then a wild jump.</summary>
    private static readonly Gen<int[]> Steps = Gen.Frequency((8, Gen.Int[-3, 4]), (1, Gen.Int[-40_000, 40_000])).Array[1, 300];

    [Fact]
    public void Receive_statistics_report_blocks_always_fit_their_fields()
    {
        Steps.Sample(steps =>
        {
            var stats = new RtpReceiveStatistics(1, 90_000);
            ushort sequence = 65_400;
            for (var i = 0; i < steps.Length; i++)
            {
                sequence = (ushort)(sequence + steps[i]);
                stats.Receive(sequence, (uint)(i * 3000), Start + TimeSpan.FromMilliseconds(33 * i + steps[i] % 7));
                if (i % 50 == 0)
                {
                    var block = stats.CreateReportBlock(Start + TimeSpan.FromMilliseconds(33 * i));
                    Assert.InRange(block.CumulativeLost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost);
                    Assert.True(RtcpCodec.Parse(RtcpCodec.Serialize(new RtcpReceiverReport(2, [block]))).IsSuccess);
                }
            }
        }, iter: 2000);
    }

    [Fact]
    public void Audio_playout_never_plays_a_frame_twice_between_restarts_and_stays_bounded()
    {
        Gen.Select(Steps, Gen.Int[0, 200]).Sample((steps, targetMs) =>
        {
            var buffer = new AudioPlayoutBuffer(capacity: 20);
            var played = new List<(long Restarts, int Sequence)>();
            var extended = 1 << 20;
            foreach (var step in steps)
            {
                extended += step;
                buffer.Push(new RtpPacket(false, 111, (ushort)extended, 0, 1, new byte[] { 1 }));
                var decision = buffer.Tick(TimeSpan.FromMilliseconds(targetMs));
                if (decision.Action == AudioPlayoutAction.Play)
                    played.Add((buffer.Restarts, decision.Packet!.SequenceNumber));
                Assert.InRange(buffer.Depth, TimeSpan.Zero, 22 * AudioPlayoutBuffer.FrameDuration);
            }
            Assert.Equal(played.Count, played.Distinct().Count());
            foreach (var (before, after) in played.Zip(played.Skip(1)).Where(p => p.First.Restarts == p.Second.Restarts))
                Assert.True((short)(ushort)(after.Sequence - before.Sequence) > 0, $"{before} then {after}");
        }, iter: 2000);
    }
}
