using Akka.Actor;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Media;
using Pype.Media.Audio;

namespace Pype.Actors.Media;

/// <summary>The Opus encoder stage (Concentus, in-process: 20 ms frames, in-band FEC).</summary>
internal sealed class AudioEncoderActor : ReceiveActor
{
    public const string Stage = "audio-encoder";

    public AudioEncoderActor(IActorRef sender)
    {
        var encoder = new OpusVoiceEncoder();
        Receive<AudioFrame>(frame =>
        {
            if (frame.Samples.Length != AudioFormat.SamplesPerFrame)
            {
                Context.Parent.Tell(new MediaDrop("audio-short-frame"));
                return;
            }
            sender.Tell(new EncodedAudioFrame(frame.Index, frame.CaptureTime, encoder.Encode(frame)));
        });
    }

    public static Props Props(IActorRef sender) => Akka.Actor.Props.Create(() => new AudioEncoderActor(sender));
}

/// <summary>
/// The Opus decoder stage. Packets lost just before a packet are filled in, so the output keeps
/// its 20 ms rhythm: all but the last by concealment (PLC), the last from this packet's in-band
/// FEC, then the packet itself. Output goes to the audio-out stage, or nowhere when there is none.
/// </summary>
internal sealed class AudioDecoderActor : ReceiveActor
{
    public const string Stage = "audio-decoder";

    /// <summary>A longer gap (one second) is not filled: concealment that long is noise, not speech.</summary>
    private const int MaxFramesFilled = 50;

    private readonly OpusVoiceDecoder decoder = new();
    private readonly IActorRef output;
    private long index;

    public AudioDecoderActor(IActorRef output)
    {
        this.output = output;
        Receive<ReceivedOpusPacket>(Decode);
    }

    public static Props Props(IActorRef output) => Akka.Actor.Props.Create(() => new AudioDecoderActor(output));

    private void Decode(ReceivedOpusPacket packet)
    {
        var session = Context.Parent;
        session.Tell(new MediaCount(MediaCounter.AudioPacketsReceived));
        var captureTime = packet.CaptureTimeMicroseconds is { } micros ? MediaClock.FromUnixMicroseconds(micros) : MediaClock.Now;
        if (packet.LostBefore is > 0 and <= MaxFramesFilled)
        {
            for (var i = 0; i < packet.LostBefore - 1; i++) Emit(decoder.Conceal(), captureTime);
            var (recovered, current) = decoder.DecodeAfterLoss(packet.OpusPacket.Span);
            Emit(recovered, captureTime);
            Emit(current, captureTime);
            session.Tell(new MediaCount(MediaCounter.AudioFramesConcealed, packet.LostBefore - 1));
            session.Tell(new MediaCount(MediaCounter.AudioFramesRecovered));
        }
        else
        {
            if (packet.LostBefore > MaxFramesFilled) session.Tell(new MediaDrop("audio-gap-not-filled", packet.LostBefore));
            Emit(decoder.Decode(packet.OpusPacket.Span), captureTime);
        }
        session.Tell(new MediaCount(MediaCounter.AudioFramesDecoded));
    }

    private void Emit(short[] samples, TimeSpan captureTime)
    {
        if (!output.IsNobody()) output.Tell(new AudioFrame(index, captureTime, samples));
        index++;
    }
}
