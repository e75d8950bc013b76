using Akka.Actor;
using Akka.Event;
using Pype.Actors.Configuration;
using Pype.Actors.Hosting;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Media;
using Pype.Media.Processes;

namespace Pype.Actors.Media;

/// <summary>
/// One call's media: a shell over a <see cref="MediaSession"/> core, which decides everything
/// (negotiation, feedback, playout targets, the repair window, packets held before the answer,
/// statistics), and the parent of the call's stage actors (<see cref="MediaStageTree"/>), which do
/// the work. Every input goes to the core with the media clock; its outputs become messages to the
/// network, the stages or the parent; one timer is armed at the core's next deadline.
/// <para>
/// <see cref="Prepare"/> starts every stage while the call still rings, held: the ffmpeg start-ups,
/// the slowest part of a call's first picture, happen while it rings, and nothing is sent or shown.
/// <see cref="StartMediaFlow"/> (the answer) releases them and replays the peer's packets that came first.
/// </para>
/// <para>
/// Supervision: a stage that throws is restarted (its ffmpeg and files closed and reopened), at
/// most three times a minute, then stopped; a stage that stops for good, or gives up itself (a
/// missing device, an ffmpeg that keeps dying), becomes one <see cref="MediaProblem"/> for the parent,
/// and the rest of the call goes on; with no ffmpeg installed, the stages that run it are never
/// started and one problem says why. The core holds no resource, so this actor itself never needs
/// a restart; stopping it stops every stage, which ends their ffmpeg processes and closes their files.
/// </para>
/// </summary>
public sealed class MediaSessionActor : SansIoShellActor
{
    private readonly MediaSessionSpec spec;
    private readonly MediaSettings settings;
    private readonly IActorRef network;
    private readonly MediaSession core;
    private readonly MediaStageTree stages;
    private readonly HashSet<string> reported = [];
    private readonly string? missingFfmpeg;
    private readonly ILoggingAdapter log = Context.GetLogger();

    public MediaSessionActor(MediaSessionSpec spec, MediaSettings settings, IActorRef network, bool flowsAtStart)
    {
        (this.spec, this.settings, this.network) = (spec, settings, network);
        var video = settings.Video;
        missingFfmpeg = FfmpegInstallation.Problem;
        var plan = MediaStageTree.PlanFor(settings, withFfmpeg: missingFfmpeg is null);
        var setup = new MediaSessionSetup(spec.Local, video.Width, video.Height, video.FrameRate, video.BitrateKbps, plan);
        core = new MediaSession(setup, spec.Remote, flowsAtStart, Now);
        stages = new MediaStageTree(Context, spec, settings, network);

        Receive<StartMediaFlow>(start => Feed(now => core.HandleStart(now, start.Remote)));
        Receive<MediaPacketReceived>(received => Feed(now => core.HandleReceived(now, received.Payload)));
        Receive<RtpSent>(sent => Feed(now => core.HandleSent(now, sent.Stream, sent.RtpTimestamp, sent.Packets, sent.PayloadOctets)));
        Receive<KeyframeNeeded>(_ => Feed(core.HandleKeyframeNeeded));
        Receive<MediaLatency>(latency => Feed(now => core.HandleFrameShown(now, latency.CaptureToRender)));
        // Counts move no deadline and ask for nothing: no drain, no timer.
        Receive<MediaCount>(count => core.HandleCount(Now, count.Counter, count.Amount));
        Receive<MediaDrop>(drop => core.HandleDrop(drop.Reason, drop.Amount));
        Receive<MediaAudioLatency>(latency => core.HandleAudioPlayed(latency.CaptureToPlay));
        Receive<EncodedVideoFormat>(format => core.HandleEncodedFormat(format.Width, format.Height, format.FrameRate));
        Receive<GetMediaStats>(_ => Sender.Tell(MediaStatsSnapshot.Of(spec.CallId, core, Now)));
        // Our own warm-up keyframe: the decoder's ffmpeg sets itself up on it while the call rings.
        Receive<WarmUpKeyframe>(warm => stages.VideoDecoder.Tell(warm));
        Receive<StageFailed>(failed => Report(failed.Stage, failed.Message));
        Receive<Terminated>(terminated =>
        {
            if (stages.Forget(terminated.ActorRef) is { } stage && !reported.Contains(stage))
                Report(stage, "the stage stopped after repeated failures");
        });
    }

    /// <summary>A session whose media flows from the start (the call is answered and both offers are known).</summary>
    /// <param name="network">Receives a <see cref="SendMediaPacket"/> for every outgoing packet.</param>
    public static Props Props(MediaSessionSpec spec, MediaSettings settings, IActorRef network) =>
        Akka.Actor.Props.Create(() => new MediaSessionActor(spec, settings, network, true));

    /// <summary>
    /// A session for a call that still rings: every stage starts, held, and nothing flows until
    /// <see cref="StartMediaFlow"/>. <paramref name="spec"/>'s Remote may be null (a caller does not
    /// know the answer yet).
    /// </summary>
    public static Props Prepare(MediaSessionSpec spec, MediaSettings settings, IActorRef network) =>
        Akka.Actor.Props.Create(() => new MediaSessionActor(spec, settings, network, false));

    protected override DateTimeOffset Now => MediaClock.UtcNow;

    protected override DateTimeOffset? NextDeadline => core.NextDeadline;

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(3, TimeSpan.FromMinutes(1), Decider.From(Directive.Restart));

    protected override void PreStart()
    {
        // Without ffmpeg the plan left out its stages: one clear report, and the call goes on with the rest.
        if (missingFfmpeg is not null) Report("ffmpeg", missingFfmpeg);
        stages.Start(core.Stages, core.Send, core.Encoding, held: !core.Flowing);
        // A session that flows from the start has deadlines before any input arrives (its first report).
        Feed(_ => { });
    }

    protected override void OnDeadline(DateTimeOffset now) => core.HandleTimeout(now);

    protected override void DrainOutputs()
    {
        while (core.TryPoll(out var output))
        {
            switch (output)
            {
                case MediaDatagram datagram:
                    network.Tell(new SendMediaPacket(spec.Peer, datagram.Payload));
                    break;
                case MediaForStage { Stream: MediaStreamKind.Video } packet:
                    stages.VideoReceiver.Tell(new ReceivedRtp(packet.Packet));
                    break;
                case MediaForStage packet:
                    stages.AudioPlayout.Tell(new ReceivedRtp(packet.Packet));
                    break;
                case VideoResendRequested resend:
                    stages.VideoSender.Tell(new RetransmitVideo(resend.SequenceNumbers, resend.MinInterval));
                    break;
                case KeyframeRequested:
                    stages.VideoEncoder.Tell(RequestKeyframe.Instance);
                    break;
                case VideoEncodingChanged changed:
                    stages.VideoEncoder.Tell(new SetVideoEncoding(VideoEncoderActor.SettingsFor(core.Send, settings.Video.KeyframeInterval, changed.Encoding)));
                    break;
                case VideoSendingRestarted restarted:
                    stages.RestartVideoSending(restarted.Send, restarted.Encoding);
                    break;
                case HoldLimitChanged hold:
                    stages.VideoReceiver.Tell(new SetHoldLimit(hold.MaxHold));
                    break;
                case PlayoutTargetChanged { Stream: MediaStreamKind.Video } target:
                    stages.VideoReceiver.Tell(new SetPlayoutTarget(target.Target));
                    break;
                case PlayoutTargetChanged target:
                    stages.AudioPlayout.Tell(new SetPlayoutTarget(target.Target));
                    break;
                case MediaFlowStarted:
                    stages.ReleaseHeld();
                    break;
                case FirstPictureReached first:
                    Context.Parent.Tell(new FirstPictureShown(spec.CallId, first.AfterFlowStart));
                    break;
            }
        }
    }

    private void Report(string stage, string message)
    {
        reported.Add(stage);
        log.Warning("call {0:x}: media stage {1}: {2}", spec.CallId, stage, message);
        Context.Parent.Tell(new MediaProblem(spec.CallId, stage, message));
    }
}
