using Akka.Actor;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Playout;
using Pype.Media;
using Pype.Media.Audio;

namespace Pype.Actors.Media;

/// <summary>
/// The audio receiving stage: an <see cref="AudioPlayoutBuffer"/> (docs/RESILIENCE.md §2) played
/// out on a steady 20 ms rhythm (<see cref="PlayoutTicker"/>), decoded with Opus
/// here, and handed to the audio-out stage. Each tick the buffer decides: play the next packet,
/// rebuild a lost frame from the following packet's FEC, conceal it (PLC), stretch (PLC without
/// consuming a packet) or drop a frame to move towards the target the session sets
/// (<see cref="SetPlayoutTarget"/>, from the stream's jitter). Concealment and stretching keep the
/// 20 ms rhythm of the output; nothing is written while the buffer waits to (re)start. A packet Opus
/// cannot decode is concealed and counted (drop reason <c>audio-undecodable</c>), never a failure of the stage.
/// <para>
/// The stage keeps a tick every 20 ms for as long as the call lasts, packets or not: the output
/// device drains at a fixed rate and concealment must fill every frame a packet misses. But it is
/// a deadline, not a poll: one timer armed at the ticker's next due time (its rhythm is absolute,
/// so a timer that fires late — Akka's scheduler ticks every 10 ms — is caught up, never drifts),
/// where a 10 ms look used to find nothing due every other time.
/// </para>
/// </summary>
internal sealed class AudioPlayoutActor : ReceiveActor, IWithTimers
{
    public const string Stage = "audio-playout";

    private const string PlayoutTimer = "playout";

    private readonly AudioPlayoutBuffer buffer = new();
    private readonly PlayoutTicker ticker = new(AudioPlayoutBuffer.FrameDuration);
    private readonly OpusVoiceDecoder decoder = new();
    private readonly IActorRef output;
    private readonly CounterDeltas deltas;
    private TimeSpan target = PlayoutDelayOptions.Audio.Min;
    private long duplicates;
    private long index;

    public AudioPlayoutActor(IActorRef output)
    {
        this.output = output;
        deltas = new CounterDeltas(Context.Parent);
        Receive<ReceivedRtp>(received =>
        {
            switch (buffer.Push(received.Packet))
            {
                case AudioPushOutcome.Accepted:
                    Context.Parent.Tell(new MediaCount(MediaCounter.AudioPacketsReceived));
                    break;
                case AudioPushOutcome.Duplicate:
                    duplicates++;
                    break;
            }
        });
        Receive<SetPlayoutTarget>(set => target = set.Target);
        Receive<PlayoutTick>(_ =>
        {
            for (var due = ticker.Due(MediaClock.Now); due > 0; due--) PlayOne();
            Report();
            ArmNextTick();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef output) => Akka.Actor.Props.Create(() => new AudioPlayoutActor(output));

    protected override void PreStart() => Timers.StartSingleTimer(PlayoutTimer, PlayoutTick.Instance, TimeSpan.Zero);

    /// <summary>After a look, the next tick is always in the future: <see cref="PlayoutTicker.Due"/> ran every tick up to now.</summary>
    private void ArmNextTick()
    {
        var delay = (ticker.NextDue ?? MediaClock.Now) - MediaClock.Now;
        Timers.StartSingleTimer(PlayoutTimer, PlayoutTick.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
    }

    private void PlayOne()
    {
        var decision = buffer.Tick(target);
        switch (decision.Action)
        {
            case AudioPlayoutAction.Play:
                var packet = decision.Packet!;
                var captured = packet.CaptureTimeMicroseconds is { } micros ? MediaClock.FromUnixMicroseconds(micros) : (TimeSpan?)null;
                Emit(decoder.Decode(packet.Payload.Span), captured);
                break;
            case AudioPlayoutAction.DecodeFec:
                Emit(decoder.Recover(decision.Packet!.Payload.Span), null);
                break;
            case AudioPlayoutAction.Conceal:
            case AudioPlayoutAction.Stretch:
                Emit(decoder.Conceal(), null);
                break;
        }
    }

    /// <summary>
    /// Only frames decoded from their own packet carry a capture time worth measuring; with no
    /// output the frame is thrown away here, which is where it would have been handed over.
    /// </summary>
    private void Emit(short[] samples, TimeSpan? captured)
    {
        var frame = new AudioFrame(index++, captured ?? MediaClock.Now, samples);
        if (!output.IsNobody())
            output.Tell(new AudioToPlay(frame, captured is not null));
        else if (captured is { } at)
            Context.Parent.Tell(new MediaAudioLatency(MediaClock.Now - at));
    }

    private void Report()
    {
        deltas.Count(MediaCounter.AudioFramesDecoded, buffer.Played);
        deltas.Count(MediaCounter.AudioFramesRecovered, buffer.FecDecoded);
        deltas.Count(MediaCounter.AudioFramesConcealed, buffer.Concealed);
        deltas.Count(MediaCounter.AudioPacketsLost, buffer.FecDecoded + buffer.Concealed);
        deltas.Count(MediaCounter.AudioFramesStretched, buffer.Stretched);
        deltas.Count(MediaCounter.AudioFramesDropped, buffer.Dropped);
        deltas.Count(MediaCounter.AudioUnderruns, buffer.Underruns);
        deltas.Drop("audio-too-late", buffer.Late);
        deltas.Drop("audio-duplicate", duplicates);
        deltas.Drop("audio-discarded", buffer.Discarded);
        deltas.Drop("audio-overflow", buffer.Overflowed);
        deltas.Drop("audio-undecodable", decoder.UndecodablePackets);
    }
}
