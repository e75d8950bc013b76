namespace Pype.Cli.Console;

/// <summary>One call's media statistics as JSON fields, shared by the `stats` answer and the per-second `call-stats` event.</summary>
internal static class MediaStatsJson
{
    /// <summary>Every media counter, named in snake case after its field.</summary>
    public static void Write(System.Text.Json.Utf8JsonWriter w, Pype.Actors.Media.MediaStats m)
    {
        w.WriteString("send_size", $"{m.SendWidth}x{m.SendHeight}");
        w.WriteNumber("send_frame_rate", m.SendFrameRate);
        w.WriteNumber("send_bitrate_kbps", m.SendBitrateKbps);
        foreach (var (name, value) in MediaCounters(m)) w.WriteNumber(name, value);
        if (m.CaptureToRenderP50 is { } p50) w.WriteNumber("capture_to_render_p50_ms", Math.Round(p50.TotalMilliseconds, 2)); else w.WriteNull("capture_to_render_p50_ms");
        if (m.CaptureToRenderP95 is { } p95) w.WriteNumber("capture_to_render_p95_ms", Math.Round(p95.TotalMilliseconds, 2)); else w.WriteNull("capture_to_render_p95_ms");
        w.WriteNumber("send_bitrate_bps", m.SendBitrate);
        w.WriteNumber("receive_bitrate_bps", m.ReceiveBitrate);
        w.WriteNumber("sent_fps", Math.Round(m.SentFrameRate, 1));
        w.WriteNumber("shown_fps", Math.Round(m.RenderedFrameRate, 1));
        WriteOptionalNumber(w, "loss_fraction", m.LossFraction);
        WriteOptionalNumber(w, "remote_loss_fraction", m.RemoteLossFraction);
        WriteOptionalNumber(w, "rtt_ms", m.RoundTrip?.TotalMilliseconds);
        w.WriteNumber("video_jitter_ms", Math.Round(m.VideoJitter.TotalMilliseconds, 2));
        w.WriteNumber("video_frame_jitter_ms", Math.Round(m.VideoFrameJitter.TotalMilliseconds, 2));
        w.WriteNumber("audio_jitter_ms", Math.Round(m.AudioJitter.TotalMilliseconds, 2));
        w.WriteNumber("video_repair_window_ms", Math.Round(m.VideoRepairWindow.TotalMilliseconds, 1));
        w.WriteString("delay_trend", TrendName(m.DelayTrend));
        w.WriteNumber("queue_delay_ms", Math.Round(m.QueueDelay.TotalMilliseconds, 1));
        if (m.RemoteDelayTrend is { } remote) w.WriteString("remote_delay_trend", TrendName(remote)); else w.WriteNull("remote_delay_trend");
        WriteOptionalNumber(w, "remote_queue_delay_ms", m.RemoteQueueDelay?.TotalMilliseconds);
        w.WriteNumber("target_bitrate_kbps", m.TargetBitrateKbps);
        w.WriteNumber("encoder_bitrate_kbps", m.EncoderBitrateKbps);
        w.WriteNumber("encoder_reconfigurations", m.EncoderReconfigurations);
        w.WriteString("rung", $"{m.RungWidth}x{m.RungHeight}@{m.RungFrameRate}");
        w.WriteString("sent_size", $"{m.SentWidth}x{m.SentHeight}");
        w.WriteNumber("video_packets_retransmitted", m.VideoPacketsRetransmitted);
        w.WriteNumber("video_packets_nacked_but_gone", m.VideoPacketsNackedButGone);
        w.WriteNumber("nacks_sent", m.NacksSent);
        w.WriteNumber("nacks_received", m.NacksReceived);
        w.WriteNumber("plis_sent", m.PlisSent);
        w.WriteNumber("plis_received", m.PlisReceived);
        w.WriteNumber("video_keyframes_requested", m.VideoKeyframesRequested);
        w.WriteNumber("freeze_ms", Math.Round(m.FreezeTime.TotalMilliseconds));
        w.WriteNumber("freezes", m.Freezes);
        WriteOptionalNumber(w, "glass_to_glass_p50_ms", m.GlassToGlassP50?.TotalMilliseconds);
        WriteOptionalNumber(w, "glass_to_glass_p95_ms", m.GlassToGlassP95?.TotalMilliseconds);
        w.WriteNumber("audio_playout_delay_ms", Math.Round(m.AudioPlayoutDelay.TotalMilliseconds, 1));
        w.WriteNumber("video_playout_delay_ms", Math.Round(m.VideoPlayoutDelay.TotalMilliseconds, 1));
        foreach (var (name, value) in new[] { ("audio_underruns", m.AudioUnderruns), ("audio_frames_dropped", m.AudioFramesDropped), ("audio_frames_stretched", m.AudioFramesStretched) }) w.WriteNumber(name, value);
        WriteOptionalNumber(w, "audio_capture_to_play_p50_ms", m.AudioCaptureToPlayP50?.TotalMilliseconds);
        WriteOptionalNumber(w, "audio_capture_to_play_p95_ms", m.AudioCaptureToPlayP95?.TotalMilliseconds);
        w.WriteStartObject("drops");
        foreach (var (reason, count) in m.DropsByReason.OrderBy(d => d.Key, StringComparer.Ordinal)) w.WriteNumber(reason, count);
        w.WriteEndObject();
    }

    private static string TrendName(Pype.Core.Rtp.RateControl.DelayTrend trend) => trend switch
    {
        Pype.Core.Rtp.RateControl.DelayTrend.Overusing => "overusing",
        Pype.Core.Rtp.RateControl.DelayTrend.Underusing => "underusing",
        _ => "normal",
    };

    private static void WriteOptionalNumber(System.Text.Json.Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, Math.Round(v, 4)); else w.WriteNull(name);
    }

    public static IEnumerable<(string Name, long Value)> MediaCounters(Pype.Actors.Media.MediaStats m) =>
    [
        ("video_frames_captured", m.VideoFramesCaptured), ("video_frames_encoded", m.VideoFramesEncoded),
        ("video_keyframes_encoded", m.VideoKeyframesEncoded), ("video_frames_sent", m.VideoFramesSent),
        ("video_packets_sent", m.VideoPacketsSent), ("audio_frames_captured", m.AudioFramesCaptured),
        ("audio_packets_sent", m.AudioPacketsSent), ("packets_sent", m.PacketsSent), ("bytes_sent", m.BytesSent),
        ("packets_received", m.PacketsReceived), ("bytes_received", m.BytesReceived),
        ("video_packets_received", m.VideoPacketsReceived), ("video_packets_lost", m.VideoPacketsLost),
        ("video_frames_received_complete", m.VideoFramesReceivedComplete), ("video_frames_received_incomplete", m.VideoFramesReceivedIncomplete),
        ("video_nal_units_dropped", m.VideoNalUnitsDropped), ("video_frames_decoded", m.VideoFramesDecoded),
        ("video_frames_rendered", m.VideoFramesRendered), ("audio_packets_received", m.AudioPacketsReceived),
        ("audio_packets_lost", m.AudioPacketsLost), ("audio_frames_decoded", m.AudioFramesDecoded),
        ("audio_frames_concealed", m.AudioFramesConcealed), ("audio_frames_recovered", m.AudioFramesRecovered),
        ("audio_frames_played", m.AudioFramesPlayed), ("encoder_restarts", m.EncoderRestarts), ("decoder_restarts", m.DecoderRestarts),
    ];
}
