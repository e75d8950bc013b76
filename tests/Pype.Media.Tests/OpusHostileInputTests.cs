using CsCheck;
using Pype.Core.Media;
using Pype.Media.Audio;
using Xunit.Abstractions;

namespace Pype.Media.Tests;

/// <summary>
/// Audio packets are authenticated, but a peer can still send junk. Concentus threw on about one
/// mutated packet in six, and three throws in a minute stopped the audio stage for the rest of the
/// call; now every packet, however broken, yields a full frame and only the count says so.
/// </summary>
public sealed class OpusHostileInputTests(ITestOutputHelper output)
{
    private static byte[][] Speech(int frames)
    {
        var encoder = new OpusVoiceEncoder();
        var packets = new byte[frames][];
        for (var i = 0; i < frames; i++)
        {
            var samples = new short[AudioFormat.SamplesPerFrame];
            for (var s = 0; s < samples.Length; s++)
            {
                var t = (i * samples.Length + s) / (double)AudioFormat.SampleRate;
                samples[s] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * t) + 3000 * Math.Sin(2 * Math.PI * 1230 * t));
            }
            packets[i] = encoder.Encode(new AudioFrame(i, TimeSpan.FromMilliseconds(20 * i), samples));
        }
        return packets;
    }

    private static readonly byte[][] Genuine = Speech(50);

    /// <summary>A genuine packet with some bytes overwritten, cut short or lengthened, or plain random bytes.</summary>
    private static readonly Gen<byte[]> Hostile = Gen.OneOf(
        Gen.Select(Gen.Int[0, Genuine.Length - 1], Gen.Int[1, 8].SelectMany(n => Gen.Select(Gen.Int[0, 1000], Gen.Byte).Array[n]),
            (which, edits) =>
            {
                var packet = (byte[])Genuine[which].Clone();
                foreach (var (at, value) in edits) packet[at % packet.Length] = value;
                return packet;
            }),
        Gen.Select(Gen.Int[0, Genuine.Length - 1], Gen.Int[0, 400], (which, length) =>
        {
            var packet = new byte[length];
            Genuine[which].AsSpan(0, Math.Min(length, Genuine[which].Length)).CopyTo(packet);
            return packet;
        }),
        Gen.Byte.Array[0, 1500]);

    [Fact]
    public void Every_hostile_packet_decodes_to_a_frame_and_junk_is_counted_never_thrown()
    {
        var decoder = new OpusVoiceDecoder();
        long cases = 0;
        Hostile.Sample(packet =>
        {
            cases++;
            var frame = cases % 3 == 0 ? decoder.Recover(packet) : decoder.Decode(packet);
            Assert.InRange(frame.Length, 1, AudioFormat.SamplesPerFrame);
            if (cases % 5 == 0) Assert.Equal(AudioFormat.SamplesPerFrame, decoder.Conceal().Length);
        }, iter: 100_000, threads: 1);
        output.WriteLine($"{cases} hostile packets: {decoder.UndecodablePackets} could not be decoded and were concealed");
        Assert.Equal(100_000, cases);
        Assert.True(decoder.UndecodablePackets > 1000, $"only {decoder.UndecodablePackets} packets were junk: the generator proves little");

        // After all that the decoder still decodes speech as speech.
        var after = Genuine.Select(p => decoder.Decode(p)).Last();
        Assert.Equal(AudioFormat.SamplesPerFrame, after.Length);
        Assert.True(after.Max(s => Math.Abs((int)s)) > 2000, "the decoder no longer decodes a genuine packet");
    }
}
