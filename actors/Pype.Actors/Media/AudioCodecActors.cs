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
