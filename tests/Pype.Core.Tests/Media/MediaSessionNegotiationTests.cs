using Pype.Core.Calls;
using Pype.Core.Media;
using Pype.Core.Rtp;
using Xunit;
using static Pype.Core.Tests.Media.MediaSessionCall;

namespace Pype.Core.Tests.Media;

/// <summary>What both offers and the settings decide, and the peer's packets that come before the answer.</summary>
public sealed class MediaSessionNegotiationTests
{
    private static readonly MediaOffer SmallPeer = MediaOffer.Create(0xB1, 0xB2, new VideoLimits(320, 240, 15, 400));

    /// <summary>The repair window the video receiver is told as media starts, before any round trip is measured.</summary>
    private static readonly HoldLimitChanged StartingWindow = new(MediaSession.Nack.MinGiveUpAge + MediaSession.HoldMargin);

    [Fact]
    public void Video_is_sent_as_the_settings_brought_within_both_sides_limits()
    {
        var call = new MediaSessionCall(SmallPeer);
        Assert.Equal(new VideoSendFormat(320, 240, 15, 400), call.Session.Send);
        Assert.Equal(400, call.Session.Encoding.Kbps);
        Assert.Equal(400_000, call.Session.Feedback.Rate.TargetBitrate);
    }

    [Fact]
    public void A_caller_preparing_without_the_answer_sends_within_its_own_limits()
    {
        var call = new MediaSessionCall(remote: null, flowing: false);
        Assert.Equal(new VideoSendFormat(640, 480, 30, 1500), call.Session.Send);
        Assert.False(call.Session.Flowing);
    }

    [Fact]
    public void Media_cannot_flow_before_the_peers_offer_is_known()
    {
        var setup = new MediaSessionSetup(Local, 640, 480, 30, 1500, Everything);
        Assert.Throws<ArgumentException>(() => new MediaSession(setup, remote: null, flowing: true, Start));
    }

    [Fact]
    public void The_stage_plan_leaves_out_what_the_settings_turn_off()
    {
        Assert.Equal(new MediaStagePlan(false, true, false, false), MediaStagePlan.For(VideoSourceKind.None, false, AudioSourceKind.Sine, false));
        Assert.Equal(new MediaStagePlan(true, false, true, true), MediaStagePlan.For(VideoSourceKind.TestPattern, true, AudioSourceKind.None, true));
    }

    [Fact]
    public void Packets_before_the_answer_are_held_then_replayed_after_the_stages_are_released()
    {
        var call = new MediaSessionCall(remote: null, flowing: false);
        call.Receive(Framed(VideoPacket(7)));
        call.Receive(Framed(AudioPacket(3)));
        Assert.Empty(call.Take());
        Assert.Null(call.Session.NextDeadline);
        Assert.Equal(0, call.Session.Counters[MediaCounter.PacketsReceived]);

        call.Do((session, now) => session.HandleStart(now, Peer), Start + TimeSpan.FromSeconds(3));

        var outputs = call.Take();
        Assert.IsType<MediaFlowStarted>(outputs[0]);
        var delivered = outputs.OfType<MediaForStage>().Select(p => (p.Stream, p.Packet.SequenceNumber)).ToList();
        Assert.Equal([(MediaStreamKind.Video, (ushort)7), (MediaStreamKind.Audio, (ushort)3)], delivered);
        Assert.True(outputs.IndexOf(outputs.OfType<MediaForStage>().First()) > 0, "a packet reached a stage before the stages were released");
        Assert.Equal(2, call.Session.Counters[MediaCounter.PacketsReceived]);
    }

    [Fact]
    public void Beyond_the_early_limit_packets_before_the_answer_are_dropped_and_counted()
    {
        var call = new MediaSessionCall(remote: null, flowing: false);
        for (var i = 0; i < MediaSession.MaxEarlyPackets + 10; i++) call.Receive(Framed(AudioPacket((ushort)i)));
        call.Do((session, now) => session.HandleStart(now, Peer));
        Assert.Equal(MediaSession.MaxEarlyPackets, call.Take().OfType<MediaForStage>().Count());
        Assert.Equal(10, call.Session.Counters.DropsByReason()["before-answer"]);
    }

    [Fact]
    public void An_answer_with_smaller_limits_restarts_video_sending_at_the_negotiated_format_before_release()
    {
        var call = new MediaSessionCall(remote: null, flowing: false);
        call.Do((session, now) => session.HandleStart(now, SmallPeer));
        var outputs = call.Take();
        var restart = Assert.IsType<VideoSendingRestarted>(outputs[0]);
        Assert.Equal(new VideoSendFormat(320, 240, 15, 400), restart.Send);
        Assert.Equal(400, restart.Encoding.Kbps);
        Assert.IsType<MediaFlowStarted>(outputs[1]);
    }

    [Fact]
    public void A_callee_prepared_with_the_callers_offer_or_a_side_sending_no_video_restarts_nothing()
    {
        var callee = new MediaSessionCall(remote: SmallPeer, flowing: false);
        callee.Do((session, now) => session.HandleStart(now, SmallPeer));
        Assert.Equal([MediaFlowStarted.Instance, StartingWindow], callee.Take());

        var audioOnly = new MediaSessionCall(remote: null, flowing: false, stages: new MediaStagePlan(false, true, false, true));
        audioOnly.Do((session, now) => session.HandleStart(now, SmallPeer));
        Assert.Equal([MediaFlowStarted.Instance, StartingWindow], audioOnly.Take());
        Assert.Equal(new VideoSendFormat(320, 240, 15, 400), audioOnly.Session.Send);
    }

    [Fact]
    public void A_second_start_is_ignored()
    {
        var call = new MediaSessionCall();
        Assert.Equal([StartingWindow], call.Take());
        call.Do((session, now) => session.HandleStart(now, SmallPeer));
        Assert.Empty(call.Take());
        Assert.Equal(Peer, call.Session.Remote);
    }

    [Fact]
    public void Only_the_peers_announced_streams_reach_a_stage_and_the_rest_is_counted_by_reason()
    {
        var call = new MediaSessionCall();
        call.Receive(Framed(VideoPacket(1)));
        call.Receive(Framed(VideoPacket(2, ssrc: 0xEE)));
        call.Receive([0x13, 1, 2]);
        call.Receive(Framed(AudioPacket(1) with { PayloadType = 0 }));
        Assert.Single(call.Take().OfType<MediaForStage>());
        var drops = call.Session.Counters.DropsByReason();
        Assert.Equal(1, drops["foreign-ssrc"]);
        Assert.Equal(1, drops["not-media-rtp"]);
        Assert.Equal(1, drops["unknown-payload-type"]);
        Assert.Equal(4, call.Session.Counters[MediaCounter.PacketsReceived]);
        Assert.Equal(1, call.Session.Counters[MediaCounter.VideoPacketsReceived]);
    }
}
