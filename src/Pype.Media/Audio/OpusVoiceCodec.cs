using Concentus;
using Concentus.Enums;
using Pype.Core.Media;

namespace Pype.Media.Audio;

/// <summary>
/// Opus (Concentus) for speech: 48 kHz mono, 20 ms frames, VOIP application, in-band FEC on.
/// Tell it the loss the receiver reports (<see cref="PacketLossPercent"/>) so it spends bits on FEC.
/// </summary>
public sealed class OpusVoiceEncoder
{
    public const int MaxPacketBytes = 1275;
    private readonly IOpusEncoder _encoder;

    public OpusVoiceEncoder(int bitrateBitsPerSecond = 24_000, int packetLossPercent = 0)
    {
        _encoder = OpusCodecFactory.CreateEncoder(AudioFormat.SampleRate, AudioFormat.Channels, OpusApplication.OPUS_APPLICATION_VOIP);
        _encoder.Bitrate = bitrateBitsPerSecond;
        _encoder.Complexity = 10;
        _encoder.UseInbandFEC = true;
        _encoder.PacketLossPercent = packetLossPercent;
    }

    public int PacketLossPercent
    {
        get => _encoder.PacketLossPercent;
        set => _encoder.PacketLossPercent = Math.Clamp(value, 0, 100);
    }

    public int Bitrate
    {
        get => _encoder.Bitrate;
        set => _encoder.Bitrate = value;
    }

    public byte[] Encode(AudioFrame frame)
    {
        if (frame.Samples.Length != AudioFormat.SamplesPerFrame) throw new ArgumentException($"an Opus frame here is {AudioFormat.SamplesPerFrame} samples, got {frame.Samples.Length}", nameof(frame));
        Span<byte> packet = stackalloc byte[MaxPacketBytes];
        var length = _encoder.Encode(frame.Samples, AudioFormat.SamplesPerFrame, packet, packet.Length);
        return packet[..length].ToArray();
    }
}

/// <summary>
/// Opus decoding with loss handling: a packet decodes normally; a lost packet is concealed (PLC);
/// and when the packet after a loss arrives, <see cref="DecodeAfterLoss"/> first rebuilds the lost
/// frame from the FEC data carried inside it, then decodes the packet itself.
/// <para>
/// A packet that passed authentication can still be garbage (a buggy or hostile peer): Concentus
/// throws on about one in six mutated packets. Such a packet is concealed like a lost one and
/// counted in <see cref="UndecodablePackets"/>, and the decoder state it may have left half-written is
/// reset; nothing is thrown, so the audio stage plays on.
/// </para>
/// </summary>
public sealed class OpusVoiceDecoder
{
    private readonly IOpusDecoder _decoder = OpusCodecFactory.CreateDecoder(AudioFormat.SampleRate, AudioFormat.Channels);

    /// <summary>Packets that could not be decoded and were concealed instead.</summary>
    public long UndecodablePackets { get; private set; }

    public short[] Decode(ReadOnlySpan<byte> packet) => Run(packet, fec: false);

    /// <summary>Packet loss concealment for one missing 20 ms frame.</summary>
    public short[] Conceal() => Run([], fec: false);

    /// <summary>The previous (lost) frame recovered from <paramref name="packet"/>'s FEC, then the packet's own frame.</summary>
    public (short[] Recovered, short[] Current) DecodeAfterLoss(ReadOnlySpan<byte> packet) => (Recover(packet), Run(packet, fec: false));

    /// <summary>Only the lost frame before <paramref name="packet"/>, from its FEC; the packet itself is decoded on its own turn.</summary>
    public short[] Recover(ReadOnlySpan<byte> packet) => Run(packet, fec: true);

    private short[] Run(ReadOnlySpan<byte> packet, bool fec)
    {
        var pcm = new short[AudioFormat.SamplesPerFrame];
        int samples;
        try
        {
            samples = _decoder.Decode(packet, pcm, AudioFormat.SamplesPerFrame, fec);
        }
        catch (Exception)
        {
            // Concentus reports a bad packet with whatever exception its parser ran into
            // (OpusException, IndexOutOfRange, Argument…): any of them means "this packet is junk".
            _decoder.ResetState();
            return Undecodable(packet, pcm);
        }
        // Fewer samples (2.5–10 ms frames are legal Opus) are played as they are; none at all is junk.
        if (samples <= 0) return Undecodable(packet, pcm);
        return samples == pcm.Length ? pcm : pcm[..samples];
    }

    /// <summary>A junk packet is concealed; should concealment itself fail, the frame is silence.</summary>
    private short[] Undecodable(ReadOnlySpan<byte> packet, short[] silence)
    {
        if (packet.IsEmpty) return silence;
        UndecodablePackets++;
        return Conceal();
    }
}
