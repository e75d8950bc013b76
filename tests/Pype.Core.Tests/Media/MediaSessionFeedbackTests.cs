using Pype.Core.Media;
using Pype.Core.Rtp;
using Pype.Core.Rtp.Feedback;
using Pype.Core.Rtp.RateControl;
using Xunit;
using static Pype.Core.Tests.Media.MediaSessionCall;

namespace Pype.Core.Tests.Media;

/// <summary>Feedback, the repair window and the deadlines that replace a look every 10 ms, in virtual time.</summary>
public sealed class MediaSessionFeedbackTests
{
    private static DateTimeOffset At(double ms) => Start + TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_session_with_no_traffic_or_not_yet_flowing_asks_for_no_timeout()
    {
        Assert.Null(new MediaSessionCall().Session.NextDeadline);
        var ringing = new MediaSessionCall(remote: null, flowing: false);
        ringing.Do((session, now) => session.HandleSent(now, MediaStreamKind.Audio, 960, 1, 80));
        ringing.Do((session, now) => session.HandleKeyframeNeeded(now));
        Assert.Null(ringing.Session.NextDeadline);
    }

    [Fact]
    public void After_sending_a_report_is_due_each_second_and_goes_out_at_its_deadline()
    {
        var call = new MediaSessionCall();
        call.Do((session, now) => session.HandleSent(now, MediaStreamKind.Audio, 960, 1, 80), At(10));
        Assert.Equal(At(1010), call.Session.NextDeadline);

        call.RunUntil(At(1010));
        var report = Assert.Single(Rtcp(call.Take()));
        Assert.Equal(0xA2u, Assert.IsType<RtcpSenderReport>(report).Ssrc);
        Assert.Equal(At(2010), call.Session.NextDeadline);
        Assert.Equal(1, call.Session.Counters[MediaCounter.PacketsSent]);
    }

    [Fact]
    public void A_lost_video_packet_is_nacked_at_once_and_again_one_round_trip_later()
    {
        var call = new MediaSessionCall();
        call.Receive(Framed(VideoPacket(1)), At(0));
        call.Receive(Framed(VideoPacket(3)), At(33));
        var nack = Assert.IsType<RtcpGenericNack>(Assert.Single(Rtcp(call.Take())));
        Assert.Equal([(ushort)2], nack.LostSequenceNumbers);
        Assert.Equal((0xA1u, 0xB1u), (nack.SenderSsrc, nack.MediaSsrc));

        // The round trip stands at 100 ms until measured: the retry is due then, not at the next 10 ms look.
        Assert.Equal(At(133), call.Session.NextDeadline);
        call.RunUntil(At(133));
        Assert.Equal([(ushort)2], Assert.IsType<RtcpGenericNack>(Assert.Single(Rtcp(call.Take()))).LostSequenceNumbers);
    }

    [Fact]
    public void A_gap_not_repaired_by_its_give_up_time_costs_one_picture_loss_indication()
    {
        var call = new MediaSessionCall();
        call.Receive(Framed(VideoPacket(1)), At(0));
        call.Receive(Framed(VideoPacket(3)), At(33));
        // max(2 RTT, 250 ms) plus the jitter the two packets showed.
        var giveUp = At(33) + call.Session.Feedback.RepairWindow(TimeSpan.Zero, TimeSpan.MaxValue);
        Assert.InRange(giveUp - At(33), MediaSession.Nack.MinGiveUpAge, MediaSession.Nack.MinGiveUpAge + TimeSpan.FromMilliseconds(5));
        call.RunUntil(giveUp - TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(Rtcp(call.Take()), p => p is RtcpPictureLossIndication);
        call.RunUntil(giveUp);
        Assert.Single(Rtcp(call.Take()), p => p is RtcpPictureLossIndication);
        Assert.Equal(1, call.Session.Feedback.PlisSent);
    }

    [Fact]
    public void The_video_receiver_holds_a_gap_for_the_nack_give_up_time_plus_a_margin_told_once()
    {
        var call = new MediaSessionCall();
        call.Receive(Framed(VideoPacket(1)), At(0));
        var window = MediaSession.Nack.MinGiveUpAge + MediaSession.HoldMargin;
        Assert.Equal([new HoldLimitChanged(window)], call.Take().OfType<HoldLimitChanged>());
        Assert.Equal(window, call.Session.HoldLimit);
        for (ushort sequence = 2; sequence < 30; sequence++) call.Receive(Framed(VideoPacket(sequence)), At(sequence * 33));
        Assert.Empty(call.Take().OfType<HoldLimitChanged>());
    }

    [Fact]
    public void The_peers_nack_and_pli_reach_the_sender_and_the_encoder()
    {
        var call = new MediaSessionCall();
        call.Receive(Framed(new RtcpGenericNack(0xB1, 0xA1, [5, 6])));
        call.Receive(Framed(new RtcpPictureLossIndication(0xB1, 0xA1)));
        call.Receive(Framed(new RtcpPictureLossIndication(0xB1, 0xEE)));
        var outputs = call.Take();
        var resend = Assert.Single(outputs.OfType<VideoResendRequested>());
        Assert.Equal([(ushort)5, (ushort)6], resend.SequenceNumbers);
        Assert.Equal(TimeSpan.FromMilliseconds(50), resend.MinInterval);
        Assert.Single(outputs.OfType<KeyframeRequested>());
        Assert.Equal((1, 1, 1), (call.Session.Feedback.NacksReceived, call.Session.Feedback.PlisReceived, call.Session.Feedback.Rejected));
    }

    [Fact]
    public void Our_decoder_waiting_for_a_keyframe_sends_a_pli_paced_half_a_second_apart()
    {
        var call = new MediaSessionCall();
        call.Do((session, now) => session.HandleKeyframeNeeded(now), At(0));
        call.Do((session, now) => session.HandleKeyframeNeeded(now), At(100));
        Assert.Single(Rtcp(call.Take()), p => p is RtcpPictureLossIndication);
        Assert.Equal(At(500), call.Session.NextDeadline);
        call.RunUntil(At(500));
        Assert.Single(Rtcp(call.Take()), p => p is RtcpPictureLossIndication);
    }

    [Fact]
    public void The_encoder_follows_a_cut_at_once_and_a_second_cut_held_back_lands_at_its_deadline()
    {
        var call = new MediaSessionCall();
        call.Receive(Framed(new RtcpDelayTrendReport(0xB1, 0xA1, DelayTrend.Overusing, 0, 1_000_000)), At(0));
        Assert.Equal(850, Assert.Single(call.Take().OfType<VideoEncodingChanged>()).Encoding.Kbps);

        call.Receive(Framed(new RtcpDelayTrendReport(0xB1, 0xA1, DelayTrend.Overusing, 0, 500_000)), At(300));
        Assert.Empty(call.Take().OfType<VideoEncodingChanged>());
        Assert.Equal(At(0) + EncoderBitrateFollower.MinDecreaseSpacing, call.Session.NextDeadline);

        call.RunUntil(At(0) + EncoderBitrateFollower.MinDecreaseSpacing);
        Assert.Equal(425, Assert.Single(call.Take().OfType<VideoEncodingChanged>()).Encoding.Kbps);
        Assert.Equal(425, call.Session.Encoding.Kbps);
        Assert.Null(call.Session.NextDeadline);
    }

    [Fact]
    public void A_round_trip_measured_while_a_retry_waits_moves_the_retry_to_the_new_round_trip()
    {
        var call = new MediaSessionCall();
        call.Do((session, now) => session.HandleSent(now, MediaStreamKind.Video, 0, 1, 1000), At(0));
        call.RunUntil(At(1000));
        var report = Assert.IsType<RtcpSenderReport>(Assert.Single(Rtcp(call.Take())));

        call.Receive(Framed(VideoPacket(1)), At(1010));
        call.Receive(Framed(VideoPacket(3)), At(1010));
        Assert.Single(Rtcp(call.Take()), p => p is RtcpGenericNack);
        Assert.Equal(At(1110), call.Session.NextDeadline); // a retry one assumed RTT (100 ms) on

        // The peer's block echoes our report after holding it 10 ms: the round trip is 30 ms, so the
        // retry was due at 1040 ms, now, not at 1110 ms.
        var block = new RtcpReportBlock(0xA1, 0, 0, 1, 0, RtcpNtpTime.ToShort(report.NtpTimestamp), RtcpNtpTime.ToShort(TimeSpan.FromMilliseconds(10)));
        call.Receive(Framed(new RtcpReceiverReport(0xB1, [block])), At(1040));
        Assert.InRange(call.Session.Feedback.RoundTrip!.Value.TotalMilliseconds, 29.9, 30.1);
        Assert.Equal([(ushort)2], Assert.IsType<RtcpGenericNack>(Assert.Single(Rtcp(call.Take()))).LostSequenceNumbers);
    }
}
