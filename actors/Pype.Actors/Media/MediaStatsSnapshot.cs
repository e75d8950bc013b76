using Pype.Core.Media;

namespace Pype.Actors.Media;

/// <summary>
/// What <see cref="GetMediaStats"/> answers, read from a <see cref="MediaSession"/>: the counters
/// the stages reported, with what the feedback and playout measure (docs/EVENTS.md lists the fields
/// as the console prints them).
/// </summary>
internal static class MediaStatsSnapshot
{
    public static MediaStats Of(UInt128 callId, MediaSession session, DateTimeOffset now)
    {
        var window = session.Rates(now);
        var feedback = session.Feedback;
        var rung = feedback.Rate.Rung;
        var stats = session.Counters;
        return Counters(callId, session) with
        {
            SendBitrate = window.SendBitrate,
            ReceiveBitrate = window.ReceiveBitrate,
            SentFrameRate = window.SendFrameRate,
            RenderedFrameRate = window.ReceiveFrameRate,
            LossFraction = feedback.LossFraction,
            RemoteLossFraction = feedback.RemoteLossFraction,
            RoundTrip = feedback.RoundTrip,
            VideoJitter = feedback.VideoJitter,
            VideoFrameJitter = feedback.VideoFrameJitter,
            AudioJitter = feedback.AudioJitter,
            VideoRepairWindow = session.HoldLimit,
            DelayTrend = feedback.DelayTrend,
            QueueDelay = feedback.QueueDelay,
            RemoteDelayTrend = feedback.RemoteDelay?.Trend,
            RemoteQueueDelay = feedback.RemoteDelay?.QueueDelay,
            TargetBitrateKbps = (int)(feedback.Rate.TargetBitrate / 1000),
            EncoderBitrateKbps = session.Encoding.Kbps,
            EncoderReconfigurations = stats[MediaCounter.EncoderReconfigurations],
            RungWidth = rung.Width,
            RungHeight = rung.Height,
            RungFrameRate = rung.FrameRate,
            SentWidth = session.SentFormat?.Width ?? 0,
            SentHeight = session.SentFormat?.Height ?? 0,
            VideoPacketsRetransmitted = stats[MediaCounter.VideoPacketsRetransmitted],
            VideoPacketsNackedButGone = stats[MediaCounter.VideoPacketsNackedButGone],
            NacksSent = feedback.NacksSent,
            NacksReceived = feedback.NacksReceived,
            PlisSent = feedback.PlisSent,
            PlisReceived = feedback.PlisReceived,
            VideoKeyframesRequested = stats[MediaCounter.VideoKeyframesRequested],
            FreezeTime = session.FreezeTime(now),
            Freezes = session.Freezes,
            GlassToGlassP50 = Milliseconds(window.GlassToGlassP50Ms),
            GlassToGlassP95 = Milliseconds(window.GlassToGlassP95Ms),
            AudioPlayoutDelay = session.AudioPlayoutDelay,
            VideoPlayoutDelay = session.VideoPlayoutDelay,
            AudioUnderruns = stats[MediaCounter.AudioUnderruns],
            AudioFramesDropped = stats[MediaCounter.AudioFramesDropped],
            AudioFramesStretched = stats[MediaCounter.AudioFramesStretched],
            AudioCaptureToPlayP50 = stats.AudioLatency.Percentile(50),
            AudioCaptureToPlayP95 = stats.AudioLatency.Percentile(95),
        };
    }

    private static TimeSpan? Milliseconds(double? ms) => ms is { } value ? TimeSpan.FromMilliseconds(value) : null;

    private static MediaStats Counters(UInt128 callId, MediaSession session)
    {
        var (send, stats) = (session.Send, session.Counters);
        return new(
            callId, send.Width, send.Height, send.FrameRate, send.BitrateKbps,
            stats[MediaCounter.VideoFramesCaptured], stats[MediaCounter.VideoFramesEncoded], stats[MediaCounter.VideoKeyframesEncoded],
            stats[MediaCounter.VideoFramesSent], stats[MediaCounter.VideoPacketsSent],
            stats[MediaCounter.AudioFramesCaptured], stats[MediaCounter.AudioPacketsSent],
            stats[MediaCounter.PacketsSent], stats[MediaCounter.BytesSent], stats[MediaCounter.PacketsReceived], stats[MediaCounter.BytesReceived],
            stats[MediaCounter.VideoPacketsReceived], stats[MediaCounter.VideoPacketsLost],
            stats[MediaCounter.VideoFramesReceivedComplete], stats[MediaCounter.VideoFramesReceivedIncomplete], stats[MediaCounter.VideoNalUnitsDropped],
            stats[MediaCounter.VideoFramesDecoded], stats[MediaCounter.VideoFramesRendered],
            stats.Latency.Percentile(50), stats.Latency.Percentile(95),
            stats[MediaCounter.AudioPacketsReceived], stats[MediaCounter.AudioPacketsLost], stats[MediaCounter.AudioFramesDecoded],
            stats[MediaCounter.AudioFramesConcealed], stats[MediaCounter.AudioFramesRecovered], stats[MediaCounter.AudioFramesPlayed],
            stats[MediaCounter.EncoderRestarts], stats[MediaCounter.DecoderRestarts],
            stats.DropsByReason());
    }
}
