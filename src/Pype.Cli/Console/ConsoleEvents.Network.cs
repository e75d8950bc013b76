using System.Text.Json;
using Pype.Actors.Node;
using Spectre.Console;
using static Pype.Cli.Console.ConsoleText;

namespace Pype.Cli.Console;

public static partial class ConsoleEvents
{
    /// <summary>Seeds, peers and their sessions, and the replicated address book.</summary>
    private static ConsoleEvent[] Network() =>
    [
        Define<PeersView>("peers",
            (w, p) =>
            {
                w.WriteStartArray("peers");
                foreach (var peer in p.Peers)
                {
                    w.WriteStartObject();
                    w.WriteString("hash", peer.Hash);
                    w.WriteString("state", peer.State);
                    WriteOptional(w, "path", peer.PathKind);
                    WriteOptional(w, "remote", peer.RemoteEndPoint);
                    if (peer.RttMs is { } rtt) w.WriteNumber("rtt_ms", Math.Round(rtt, 2)); else w.WriteNull("rtt_ms");
                    if (peer.ConnectedFor is { } age) w.WriteNumber("connected_s", Math.Round(age.TotalSeconds, 1)); else w.WriteNull("connected_s");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            },
            (t, p) =>
            {
                if (p.Peers.Count == 0)
                {
                    t.Markup("no peers yet");
                    return;
                }
                var peers = new Table().AddColumns("hash", "state", "path", "remote", "RTT");
                foreach (var peer in p.Peers)
                    peers.AddRow(Short(peer.Hash), peer.State, peer.PathKind ?? "-", peer.RemoteEndPoint ?? "-", peer.RttMs is { } rtt ? $"{rtt:0.0} ms" : "-");
                t.Write(peers);
            }),
        Define<ConnectRequested>("connect-requested",
            (w, c) => w.WriteString("hash", c.Hash),
            (t, c) => t.Line($"asked the seed to introduce {Short(c.Hash)}; punching starts when both sides hear back")),
        Define<PeerDisconnected>("peer-disconnected",
            (w, d) => w.WriteString("hash", d.Hash),
            (t, d) => t.Line($"disconnected from {Short(d.Hash)}")),
        Define<RegisteredAtSeed>("seed-registered",
            (w, s) => { w.WriteString("seed", s.Seed); WriteOptional(w, "server_reflexive", s.ServerReflexive); },
            (t, s) => t.Line($"registered at seed {s.Seed}; public address {s.ServerReflexive ?? "unknown"}")),
        Define<LostSeed>("seed-lost",
            (w, s) => { w.WriteString("seed", s.Seed); w.WriteString("reason", s.Reason); },
            (t, s) => t.Line($"[yellow]lost seed {s.Seed}[/]: {s.Reason}")),
        Define<PeerConnected>("peer-connected",
            (w, p) =>
            {
                w.WriteString("hash", p.Hash);
                w.WriteString("path", p.PathKind);
                w.WriteString("remote", p.RemoteEndPoint);
                w.WriteNumber("setup_ms", Math.Round(p.SetupMs, 2));
            },
            (t, p) => t.Line($"[green]connected[/] to {Short(p.Hash)} via {p.PathKind} {p.RemoteEndPoint} in {p.SetupMs:0} ms")),
        Define<PeerPathChanged>("peer-path-changed",
            (w, p) => { w.WriteString("hash", p.Hash); w.WriteString("path", p.PathKind); w.WriteString("remote", p.RemoteEndPoint); },
            (t, p) => t.Line($"path to {Short(p.Hash)} is now {p.PathKind} {p.RemoteEndPoint}")),
        Define<PeerLost>("peer-lost",
            (w, p) => { w.WriteString("hash", p.Hash); w.WriteString("reason", p.Reason); },
            (t, p) => t.Line($"[yellow]lost peer[/] {Short(p.Hash)}: {p.Reason}")),
        Define<NoDirectPath>("no-direct-path",
            (w, n) =>
            {
                w.WriteString("hash", n.Hash);
                w.WriteNumber("candidates_tried", n.CandidatesTried);
                w.WriteNumber("elapsed_ms", Math.Round(n.ElapsedMs));
            },
            (t, n) => t.Line($"[yellow]no direct path[/] to {Short(n.Hash)} after {n.ElapsedMs:0} ms ({n.CandidatesTried} candidates tried; both sides may be behind symmetric NATs)")),
        Define<BookSummary>("book",
            (w, b) =>
            {
                w.WriteNumber("records", b.Records);
                if (b.Own is { } own) { w.WritePropertyName("own"); WriteRecord(w, own); } else w.WriteNull("own");
            },
            (t, b) =>
            {
                t.Line($"address book: {b.Records} records");
                if (b.Own is { } own) t.Record("your record", own);
            }),
        Define<RecordLookup>("record",
            (w, r) =>
            {
                w.WriteString("hash", r.Hash);
                if (r.Record is { } record) { w.WritePropertyName("record"); WriteRecord(w, record); } else w.WriteNull("record");
            },
            (t, r) =>
            {
                if (r.Record is { } record) t.Record("record", record);
                else t.Line($"no record for {Short(r.Hash)} in the address book");
            }),
        // Learned records are counted by `book`; a line each would flood a person's screen.
        Define<RecordLearned>("record-learned",
            (w, r) => { w.WriteString("hash", r.Hash); w.WriteNumber("sequence", r.Sequence); w.WriteNumber("candidates", r.Candidates); },
            text: null),
    ];

    private static void WriteRecord(Utf8JsonWriter w, RecordView record)
    {
        w.WriteStartObject();
        w.WriteString("hash", record.Hash);
        w.WriteString("address", record.Address);
        w.WriteNumber("sequence", record.Sequence);
        w.WriteString("expiry", record.Expiry);
        w.WriteStartArray("candidates");
        foreach (var candidate in record.Candidates) w.WriteStringValue(candidate);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
