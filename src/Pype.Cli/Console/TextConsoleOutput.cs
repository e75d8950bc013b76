using Pype.Actors.Node;
using Pype.Actors.Seed;
using Spectre.Console;

namespace Pype.Cli.Console;

/// <summary>
/// Output for a person: tables and colour on a terminal (Spectre.Console), the same content as
/// plain lines when stdout is redirected. Shows the address as a QR code on a terminal.
/// </summary>
public sealed class TextConsoleOutput : IConsoleOutput
{
    private readonly IAnsiConsole console;
    private readonly bool terminal;

    public TextConsoleOutput(TextWriter writer, bool terminal)
    {
        this.terminal = terminal;
        console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 200;
    }

    private readonly Lock gate = new();

    public void Show(object message)
    {
        lock (gate) Render(message);
    }

    private void Render(object message)
    {
        switch (message)
        {
            case NodeReady r:
                console.MarkupLine($"[green]{r.Role} ready[/] in {r.StartupTime.TotalMilliseconds:0} ms");
                if (r.NodeListen is not null) console.MarkupLineInterpolated($"node UDP: {r.NodeListen}");
                if (r.SeedListen is not null) console.MarkupLineInterpolated($"seed UDP: {r.SeedListen} (STUN)");
                ShowAddress(r.Address, r.Hash);
                break;
            case IdentityView v:
                ShowAddress(v.Address, v.Hash);
                if (terminal) ShowQr(v.Address);
                console.MarkupLineInterpolated($"key file: {v.KeyFile} ({(v.KeyEncrypted ? "encrypted with a passphrase" : "not encrypted, owner-only")})");
                break;
            case ContactsView c when c.Contacts.Count == 0:
                console.MarkupLine("no contacts yet: add one with [bold]add <address> [[name]][/]");
                break;
            case ContactsView c:
                var table = new Table().AddColumns("name", "hash", "address", "added");
                foreach (var contact in c.Contacts)
                    table.AddRow(Markup.Escape(contact.Name), contact.Hash[..16] + "…", contact.Address, contact.AddedAt.ToString("yyyy-MM-dd HH:mm"));
                console.Write(table);
                break;
            case ContactAddedReply a:
                console.MarkupLineInterpolated($"added contact {a.Contact.Name} ({a.Contact.Hash[..16]}…)");
                break;
            case ContactRemovedReply r:
                console.MarkupLineInterpolated($"removed contact {r.Name} ({r.Hash[..16]}…)");
                break;
            case ContactRenamedReply r:
                console.MarkupLineInterpolated($"renamed contact {r.OldName} to {r.Contact.Name}");
                break;
            case KeysRotated k:
                console.MarkupLineInterpolated($"new identity is active; the old key file is archived at {k.ArchivedTo}");
                ShowAddress(k.Address, k.Hash);
                if (terminal) ShowQr(k.Address);
                console.MarkupLine("tell your contacts your new address: they know you by your old key.");
                break;
            case NodeStatus s:
                var status = new Table().AddColumns("node", "");
                status.AddRow("address", s.Address);
                status.AddRow("hash", s.Hash);
                status.AddRow("uptime", $"{s.Uptime:hh\\:mm\\:ss}");
                status.AddRow("data dir", Markup.Escape(s.DataDir));
                status.AddRow("database", $"{Markup.Escape(s.Database)} ({s.DatabaseBytes / 1024.0:0.#} KiB)");
                status.AddRow("key file", s.KeyEncrypted ? "encrypted" : "not encrypted (owner-only)");
                status.AddRow("contacts", s.Contacts.ToString());
                status.AddRow("journal", $"sequence {s.JournalEvents}, {s.EventsSinceSnapshot} events since the last snapshot");
                status.AddRow("last snapshot", s.LastSnapshotAt?.ToString("yyyy-MM-dd HH:mm:ss") ?? "none yet");
                status.AddRow("seed in this process", s.SeedInProcess ? "yes" : "no");
                status.AddRow("seed", s.SeedLink is null ? "none configured (pype.node.seeds)"
                    : $"{s.SeedLink.Seed}: {(s.SeedLink.Registered ? $"registered, public address {s.SeedLink.ServerReflexive}" : "not registered")}");
                status.AddRow("peers", $"{s.Peers.Connected} connected, {s.Peers.Punching} punching, target {s.Peers.TargetDegree}");
                if (s.Relay is { } relay)
                    status.AddRow("relay", $"{relay.State}{(relay.Relayed is { } at ? $" at {at}" : "")} on {relay.Server ?? "no server granted"}, {relay.Allocations} allocated, {relay.AllocationsLost} lost");
                if (s.Gossip is { } gossip)
                    status.AddRow("replicas", $"{gossip.Records} address-book records, {gossip.CallEntries} call-list entries; gossip with {gossip.Neighbours} neighbours, {gossip.MessagesSent} messages ({gossip.BytesSent / 1024.0:0.#} KiB) sent, {gossip.AntiEntropyRounds} anti-entropy rounds" + (gossip.Unjournalled > 0 ? $", {gossip.Unjournalled} not journalled yet" : ""));
                AddTransportRows(status, s.Transport);
                console.Write(status);
                break;
            case SeedIdentityView v:
                console.MarkupLineInterpolated($"seed public key: {v.PublicKeyHex}");
                ShowAddress(v.Address, v.Hash);
                console.MarkupLineInterpolated($"key file: {v.KeyFile} ({(v.KeyEncrypted ? "encrypted" : "not encrypted, owner-only")})");
                break;
            case SeedStatus s:
                var seed = new Table().AddColumns("seed", "");
                seed.AddRow("address", s.Address);
                seed.AddRow("hash", s.Hash);
                seed.AddRow("uptime", $"{s.Uptime:hh\\:mm\\:ss}");
                seed.AddRow("data dir", Markup.Escape(s.DataDir));
                seed.AddRow("registered peers", $"{s.Server.RegisteredPeers} ({s.Server.Sessions} sessions)");
                seed.AddRow("introductions", $"{s.Server.IntroductionsMade} made, {s.Server.IntroductionsPerSecond:0.##}/s now, {s.Server.PendingIntroductions} pending, {s.Server.IntroductionsAbandoned} abandoned");
                seed.AddRow("relay credentials", $"{s.Server.RelayCredentialsIssued} issued");
                if (s.Cluster is { } cluster)
                    seed.AddRow("cluster", Markup.Escape($"{cluster.Members.Count} members ({string.Join(", ", cluster.Members)}); {cluster.SharedPeers} peers shared, {s.Server.PeersElsewhereInCluster} held elsewhere; {cluster.IntroductionsForwarded} introductions forwarded, {s.Server.IntroductionsFromCluster} received"));
                seed.AddRow("protocol drops", Markup.Escape(s.Server.Drops.Count == 0 ? "none" : string.Join(", ", s.Server.Drops.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value}"))));
                AddTransportRows(seed, s.Transport);
                console.Write(seed);
                break;
            case PeersView p when p.Peers.Count == 0:
                console.MarkupLine("no peers yet");
                break;
            case PeersView p:
                var peers = new Table().AddColumns("hash", "state", "path", "remote", "RTT");
                foreach (var peer in p.Peers)
                    peers.AddRow(peer.Hash[..16] + "…", peer.State, peer.PathKind ?? "-", peer.RemoteEndPoint ?? "-", peer.RttMs is { } rtt ? $"{rtt:0.0} ms" : "-");
                console.Write(peers);
                break;
            case ConnectRequested c:
                console.MarkupLineInterpolated($"asked the seed to introduce {c.Hash[..16]}…; punching starts when both sides hear back");
                break;
            case BookSummary b:
                console.MarkupLineInterpolated($"address book: {b.Records} records");
                if (b.Own is { } own) ShowRecord("your record", own);
                break;
            case RecordLookup { Record: null } r:
                console.MarkupLineInterpolated($"no record for {r.Hash[..16]}… in the address book");
                break;
            case RecordLookup r:
                ShowRecord("record", r.Record!);
                break;
            case CallsView c when c.Live.Count == 0 && c.Entries.Count == 0:
                console.MarkupLine("no calls, and no call-list entries concern you");
                break;
            case CallsView c:
                if (c.Live.Count > 0)
                {
                    var live = new Table().AddColumns("call", "peer", "role", "state", "for");
                    foreach (var call in c.Live) live.AddRow(call.CallId[..12] + "…", call.Peer[..16] + "…", call.Role, call.State, $"{call.Age.TotalSeconds:0} s");
                    console.Write(live);
                }
                if (c.Entries.Count > 0)
                {
                    var entries = new Table().Title("call list").AddColumns("call", "caller", "callee", "state", "expires");
                    foreach (var e in c.Entries) entries.AddRow(e.CallId[..12] + "…", e.Caller[..16] + "…", e.Callee[..16] + "…", e.Kind, e.Expiry.ToString("HH:mm:ss"));
                    console.Write(entries);
                }
                break;
            case CallPlaced c:
                console.MarkupLineInterpolated($"calling {c.Callee[..16]}… (call {c.CallId[..12]}…)");
                break;
            case CallCommandDone:
                break; // the call's own events (established, ended) say what happened
            case CallIncoming c:
                console.MarkupLineInterpolated($"[bold]incoming call[/] {c.CallId[..12]}… from {c.CallerAddress} ({c.Source}): 'answer' or 'reject'");
                break;
            case CallRinging c:
                console.MarkupLineInterpolated($"ringing at {c.Peer[..16]}…");
                break;
            case CallEstablished c:
                console.MarkupLineInterpolated($"[green]call {c.CallId[..12]}… established[/] with {c.Peer[..16]}… in {c.SetupMs:0} ms; {c.Video}, {c.Audio}");
                break;
            case CallStatsTick:
                break; // one a second per call would drown a person's screen; `stats` shows the same
            case CallMediaProblem c:
                console.MarkupLineInterpolated($"[yellow]media ({c.Stage})[/]: {c.Message}");
                break;
            case CallFirstPicture c:
                console.MarkupLineInterpolated($"picture from {c.Peer[..16]}… {c.AfterAnswer.TotalMilliseconds:0} ms after the answer");
                break;
            case CallStatsReply { Calls.Count: 0 }:
                console.MarkupLine("no call in progress");
                break;
            case CallStatsReply c:
                foreach (var call in c.Calls)
                {
                    var m = call.Media;
                    var media = new Table().Title($"call {call.CallId[..12]}… with {call.Peer[..16]}…, {call.Duration.TotalSeconds:0} s").AddColumns("", "sent", "received");
                    media.AddRow("video frames", $"{m.VideoFramesSent} ({m.SendWidth}x{m.SendHeight}@{m.SendFrameRate}, {m.SendBitrateKbps} kbit/s)",
                        $"{m.VideoFramesReceivedComplete} whole, {m.VideoFramesReceivedIncomplete} incomplete, {m.VideoFramesRendered} shown");
                    media.AddRow("audio packets", $"{m.AudioPacketsSent}", $"{m.AudioPacketsReceived} ({m.AudioPacketsLost} lost, {m.AudioFramesConcealed} concealed, {m.AudioFramesRecovered} recovered by FEC)");
                    media.AddRow("bytes", $"{m.BytesSent / 1024.0:0} KiB", $"{m.BytesReceived / 1024.0:0} KiB");
                    media.AddRow("capture → screen", "", m.CaptureToRenderP50 is { } p50 ? $"p50 {p50.TotalMilliseconds:0.0} ms, p95 {m.CaptureToRenderP95!.Value.TotalMilliseconds:0.0} ms" : "—");
                    console.Write(media);
                }
                break;
            case CallEnded c:
                console.MarkupLineInterpolated($"call {c.CallId[..12]}… ended: {c.Reason}{(c.Duration is { } lasted ? $" after {lasted.TotalSeconds:0} s" : "")}");
                break;
            case RecordLearned:
                break; // learned records are counted by `book`; one line each would flood a person's screen
            case PeerDisconnected d:
                console.MarkupLineInterpolated($"disconnected from {d.Hash[..16]}…");
                break;
            case RegisteredAtSeed s:
                console.MarkupLineInterpolated($"registered at seed {s.Seed}; public address {s.ServerReflexive ?? "unknown"}");
                break;
            case LostSeed s:
                console.MarkupLineInterpolated($"[yellow]lost seed {s.Seed}[/]: {s.Reason}");
                break;
            case PeerConnected p:
                console.MarkupLineInterpolated($"[green]connected[/] to {p.Hash[..16]}… via {p.PathKind} {p.RemoteEndPoint} in {p.SetupMs:0} ms");
                break;
            case PeerPathChanged p:
                console.MarkupLineInterpolated($"path to {p.Hash[..16]}… is now {p.PathKind} {p.RemoteEndPoint}");
                break;
            case PeerLost p:
                console.MarkupLineInterpolated($"[yellow]lost peer[/] {p.Hash[..16]}…: {p.Reason}");
                break;
            case NoDirectPath n:
                console.MarkupLineInterpolated($"[yellow]no direct path[/] to {n.Hash[..16]}… after {n.ElapsedMs:0} ms ({n.CandidatesTried} candidates tried; both sides may be behind symmetric NATs)");
                break;
            case CommandFailed f:
                Error(f.Command, f.Message);
                break;
            default:
                Error("", $"unrenderable message {message.GetType().Name}");
                break;
        }
    }

    public void Warning(string message) => console.MarkupLineInterpolated($"[yellow]warning:[/] {message}");

    public void Error(string command, string message) =>
        console.MarkupLineInterpolated($"[red]error:[/] {(command.Length > 0 ? command + ": " : "")}{message}");

    public void Help(IReadOnlyList<(string Usage, string Description)> commands)
    {
        var table = new Table().AddColumns("command", "what it does");
        foreach (var (usage, description) in commands) table.AddRow(Markup.Escape(usage), Markup.Escape(description));
        console.Write(table);
    }

    public void Stopped(string reason) => console.MarkupLineInterpolated($"stopped ({reason})");

    public void Prompt() => console.Markup("[bold blue]pype>[/] ");

    private void ShowRecord(string title, RecordView record)
    {
        var table = new Table().AddColumns(title, "");
        table.AddRow("hash", record.Hash);
        table.AddRow("address", record.Address);
        table.AddRow("sequence", record.Sequence.ToString());
        table.AddRow("expires", record.Expiry.ToString("yyyy-MM-dd HH:mm:ss"));
        table.AddRow("candidates", Markup.Escape(string.Join(", ", record.Candidates)));
        console.Write(table);
    }

    private static void AddTransportRows(Table table, Pype.Actors.Transport.TransportStatus t)
    {
        table.AddRow("UDP", $"{t.LocalEndPoint}: {t.DatagramsIn} in, {t.DatagramsOut} out, {t.StunAnswered} STUN answered");
        var drops = t.Drops.Count == 0 ? "none" : string.Join(", ", t.Drops.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value}"));
        table.AddRow("dropped", Markup.Escape(drops));
    }

    private void ShowAddress(string address, string hash)
    {
        console.MarkupLineInterpolated($"address: [bold]{address}[/]");
        console.MarkupLineInterpolated($"hash:    {hash}");
    }

    private void ShowQr(string address)
    {
        foreach (var line in QrCodeText.Render(address)) console.WriteLine(line);
    }
}
