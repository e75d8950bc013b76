using CsCheck;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Xunit;

namespace Pype.Core.Tests.Rtp;

/// <summary>Packetize → a network that reorders within the window, loses and duplicates → depacketize.</summary>
public sealed class H264RoundTripPropertyTests
{
    private const int Iterations = 400;

    private sealed record Network(int Seed, ushort FirstSequenceNumber, uint FirstTimestamp, double LossRate, double DuplicateRate, int MaxDisplacement);

    private static readonly Gen<Network> AnyNetwork =
        Gen.Select(Gen.Int, Gen.OneOf(Gen.UShort, Gen.UShort[65500, 65535]), Gen.UInt, Gen.Double[0, 0.3], Gen.Double[0, 0.2], Gen.Int[0, 20],
            (seed, sequence, timestamp, loss, duplicates, displacement) => new Network(seed, sequence, timestamp, loss, duplicates, displacement));

    [Fact]
    public void Without_loss_every_access_unit_comes_out_byte_identical_after_its_delimiter()
    {
        Gen.Select(SyntheticH264.Stream, AnyNetwork).Sample((frames, network) =>
        {
            var sent = Packetize(frames, network);
            var received = Depacketize(Deliver(sent, network with { LossRate = 0 }, out _), out var depacketizer);

            Assert.Equal(frames.Length, received.Count);
            for (var i = 0; i < frames.Length; i++)
            {
                Assert.True(received[i].IsComplete);
                Assert.Equal(Timestamp(network, i), received[i].RtpTimestamp);
                Assert.Equal(CaptureTime(i), received[i].CaptureTimeMicroseconds);
                Assert.Equal(frames[i].IsKeyframe, received[i].IsKeyframe);
                Assert.Equal(AccessUnit.Delimiter.ToArray(), received[i].AccessUnit.NalUnits[0].ToArray());
                Assert.Equal(SyntheticH264.NalUnitsOf(frames[i]), SyntheticH264.NalUnitsOf(received[i].AccessUnit));
            }
            Assert.Equal(0, depacketizer.Counters.PacketsLost + depacketizer.Counters.FragmentedNalUnitsDropped + depacketizer.Counters.MalformedPayloads);
        }, iter: Iterations);
    }

    [Fact]
    public void With_loss_no_emitted_NAL_unit_is_corrupt_and_every_damaged_frame_is_flagged()
    {
        Gen.Select(SyntheticH264.Stream, AnyNetwork).Sample((frames, network) =>
        {
            var sent = Packetize(frames, network);
            var delivered = Deliver(sent, network, out var lost);
            var received = Depacketize(delivered, out _).ToDictionary(f => f.RtpTimestamp);

            Assert.Equal(received.Count, received.Keys.Distinct().Count());
            var lossSinceLastEmitted = false;
            for (var i = 0; i < frames.Length; i++)
            {
                var packetsOfFrame = sent.Where(p => p.Timestamp == Timestamp(network, i)).ToList();
                var damaged = packetsOfFrame.Any(lost.Contains);
                if (!received.TryGetValue(Timestamp(network, i), out var frame))
                {
                    Assert.True(damaged);
                    lossSinceLastEmitted = true;
                    continue;
                }

                var sentNalUnits = SyntheticH264.NalUnitsOf(frames[i]).ToList();
                var emitted = SyntheticH264.NalUnitsOf(frame.AccessUnit).ToList();
                Assert.All(emitted, nalUnit => Assert.Contains(sentNalUnits, s => s.AsSpan().SequenceEqual(nalUnit)));
                if (damaged || lossSinceLastEmitted)
                    Assert.False(frame.IsComplete);
                if (frame.IsComplete)
                    Assert.Equal(sentNalUnits, emitted);
                lossSinceLastEmitted = false;
            }
        }, iter: Iterations);
    }

    private static uint Timestamp(Network network, int frame) => unchecked(network.FirstTimestamp + (uint)(3000 * frame));

    private static long CaptureTime(int frame) => 1_760_000_000_000_000 + 33_333L * frame;

    private static List<RtpPacket> Packetize(AccessUnit[] frames, Network network)
    {
        var packetizer = new H264Packetizer(0xC0FFEE, network.FirstSequenceNumber);
        return frames.SelectMany((f, i) => packetizer.Packetize(f, Timestamp(network, i), CaptureTime(i))).ToList();
    }

    /// <summary>
    /// Drops packets at the loss rate, duplicates some, and moves each at most
    /// <see cref="Network.MaxDisplacement"/> places later (less than the reorder window), through
    /// the serialized form. The first packet always arrives first, as it sets the receiver's start.
    /// </summary>
    private static List<RtpPacket> Deliver(List<RtpPacket> sent, Network network, out HashSet<RtpPacket> lost)
    {
        var random = new Random(network.Seed);
        lost = [];
        var inFlight = new List<(double Key, RtpPacket Packet)>();
        for (var i = 0; i < sent.Count; i++)
        {
            if (i > 0 && random.NextDouble() < network.LossRate)
            {
                lost.Add(sent[i]);
                continue;
            }
            var copies = random.NextDouble() < network.DuplicateRate ? 2 : 1;
            for (var c = 0; c < copies; c++)
                inFlight.Add((i == 0 ? -1 : i + random.NextDouble() * network.MaxDisplacement, sent[i]));
        }
        return inFlight.OrderBy(p => p.Key)
            .Select(p => RtpPacketCodec.Parse(RtpPacketCodec.Serialize(p.Packet)).Packet!)
            .ToList();
    }

    private static List<DepacketizedAccessUnit> Depacketize(IEnumerable<RtpPacket> packets, out H264Depacketizer depacketizer)
    {
        depacketizer = new H264Depacketizer();
        return H264DepacketizerTests.Depacketize(packets, depacketizer);
    }
}
