using Pype.Actors.Node;
using Spectre.Console;
using static Pype.Cli.Console.ConsoleText;

namespace Pype.Cli.Console;

public static partial class ConsoleEvents
{
    /// <summary>Calls: placing and answering them, their media, and how they end.</summary>
    private static ConsoleEvent[] Calls() =>
    [
        Define<CallsView>("calls",
            (w, c) =>
            {
                w.WriteStartArray("calls");
                foreach (var call in c.Live)
                {
                    w.WriteStartObject();
                    w.WriteString("call_id", call.CallId);
                    w.WriteString("peer", call.Peer);
                    w.WriteString("peer_address", call.PeerAddress);
                    w.WriteString("role", call.Role);
                    w.WriteString("state", call.State);
                    w.WriteNumber("age_ms", Math.Round(call.Age.TotalMilliseconds));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("call_list");
                foreach (var e in c.Entries)
                {
                    w.WriteStartObject();
                    w.WriteString("call_id", e.CallId);
                    w.WriteString("caller", e.Caller);
                    w.WriteString("callee", e.Callee);
                    w.WriteString("kind", e.Kind);
                    w.WriteString("created", e.Created);
                    w.WriteString("expiry", e.Expiry);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            },
            (t, c) =>
            {
                if (c.Live.Count == 0 && c.Entries.Count == 0) t.Markup("no calls, and no call-list entries concern you");
                if (c.Live.Count > 0)
                {
                    var live = new Table().AddColumns("call", "peer", "role", "state", "for");
                    foreach (var call in c.Live) live.AddRow(ShortCall(call.CallId), Short(call.Peer), call.Role, call.State, $"{call.Age.TotalSeconds:0} s");
                    t.Write(live);
                }
                if (c.Entries.Count > 0)
                {
                    var entries = new Table().Title("call list").AddColumns("call", "caller", "callee", "state", "expires");
                    foreach (var e in c.Entries) entries.AddRow(ShortCall(e.CallId), Short(e.Caller), Short(e.Callee), e.Kind, e.Expiry.ToString("HH:mm:ss"));
                    t.Write(entries);
                }
            }),
        Define<CallPlaced>("call-placed",
            (w, c) => { w.WriteString("call_id", c.CallId); w.WriteString("callee", c.Callee); w.WriteString("callee_address", c.CalleeAddress); },
            (t, c) => t.Line($"calling {Short(c.Callee)} (call {ShortCall(c.CallId)})")),
        // The call's own events (established, ended) say what happened.
        Define<CallCommandDone>("call-command-done",
            (w, c) => { w.WriteString("command", c.Command); w.WriteString("call_id", c.CallId); },
            text: null),
        Define<CallIncoming>("incoming-call",
            (w, c) => { w.WriteString("call_id", c.CallId); w.WriteString("caller", c.Caller); w.WriteString("caller_address", c.CallerAddress); w.WriteString("source", c.Source); },
            (t, c) => t.Line($"[bold]incoming call[/] {ShortCall(c.CallId)} from {c.CallerAddress} ({c.Source}): 'answer' or 'reject'")),
        Define<CallRinging>("ringing",
            (w, c) => { w.WriteString("call_id", c.CallId); w.WriteString("peer", c.Peer); },
            (t, c) => t.Line($"ringing at {Short(c.Peer)}")),
        Define<CallEstablished>("call-established",
            (w, c) =>
            {
                w.WriteString("call_id", c.CallId);
                w.WriteString("peer", c.Peer);
                w.WriteString("role", c.Role);
                w.WriteNumber("setup_ms", Math.Round(c.SetupMs, 1));
                w.WriteString("video", c.Video);
                w.WriteString("audio", c.Audio);
            },
            (t, c) => t.Line($"[green]call {ShortCall(c.CallId)} established[/] with {Short(c.Peer)} in {c.SetupMs:0} ms; {c.Video}, {c.Audio}")),
        // One a second per call would drown a person's screen; `stats` shows the same.
        Define<CallStatsTick>("call-stats",
            (w, c) =>
            {
                w.WriteString("call_id", c.CallId);
                w.WriteString("peer", c.Peer);
                MediaStatsJson.Write(w, c.Media);
            },
            text: null),
        Define<CallMediaProblem>("media-problem",
            (w, c) => { w.WriteString("call_id", c.CallId); w.WriteString("stage", c.Stage); w.WriteString("message", c.Message); },
            (t, c) => t.Line($"[yellow]media ({c.Stage})[/]: {c.Message}")),
        Define<CallFirstPicture>("first-picture",
            (w, c) => { w.WriteString("call_id", c.CallId); w.WriteString("peer", c.Peer); w.WriteNumber("after_answer_ms", Math.Round(c.AfterAnswer.TotalMilliseconds, 1)); },
            (t, c) => t.Line($"picture from {Short(c.Peer)} {c.AfterAnswer.TotalMilliseconds:0} ms after the answer")),
        Define<CallStatsReply>("stats",
            (w, c) =>
            {
                w.WriteStartArray("calls");
                foreach (var call in c.Calls)
                {
                    w.WriteStartObject();
                    w.WriteString("call_id", call.CallId);
                    w.WriteString("peer", call.Peer);
                    w.WriteNumber("duration_s", Math.Round(call.Duration.TotalSeconds, 1));
                    MediaStatsJson.Write(w, call.Media);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            },
            (t, c) =>
            {
                if (c.Calls.Count == 0) t.Markup("no call in progress");
                foreach (var call in c.Calls)
                {
                    var m = call.Media;
                    var media = new Table().Title($"call {ShortCall(call.CallId)} with {Short(call.Peer)}, {call.Duration.TotalSeconds:0} s").AddColumns("", "sent", "received");
                    media.AddRow("video frames", $"{m.VideoFramesSent} ({m.SendWidth}x{m.SendHeight}@{m.SendFrameRate}, {m.SendBitrateKbps} kbit/s)",
                        $"{m.VideoFramesReceivedComplete} whole, {m.VideoFramesReceivedIncomplete} incomplete, {m.VideoFramesRendered} shown");
                    media.AddRow("audio packets", $"{m.AudioPacketsSent}", $"{m.AudioPacketsReceived} ({m.AudioPacketsLost} lost, {m.AudioFramesConcealed} concealed, {m.AudioFramesRecovered} recovered by FEC)");
                    media.AddRow("bytes", $"{m.BytesSent / 1024.0:0} KiB", $"{m.BytesReceived / 1024.0:0} KiB");
                    media.AddRow("capture → screen", "", m.CaptureToRenderP50 is { } p50 ? $"p50 {p50.TotalMilliseconds:0.0} ms, p95 {m.CaptureToRenderP95!.Value.TotalMilliseconds:0.0} ms" : "—");
                    t.Write(media);
                }
            }),
        Define<CallEnded>("call-ended",
            (w, c) =>
            {
                w.WriteString("call_id", c.CallId);
                w.WriteString("peer", c.Peer);
                w.WriteString("reason", c.Reason);
                if (c.Duration is { } duration) w.WriteNumber("duration_s", Math.Round(duration.TotalSeconds, 1)); else w.WriteNull("duration_s");
            },
            (t, c) => t.Line($"call {ShortCall(c.CallId)} ended: {c.Reason}{(c.Duration is { } lasted ? $" after {lasted.TotalSeconds:0} s" : "")}")),
    ];
}
