using System.Text.Json;
using Pype.Actors.Node;
using Pype.Actors.Seed;

namespace Pype.Cli.Console;

/// <summary>
/// One JSON object per line for every event, flushed at once, so scripts and tests can follow
/// the node. The schema is docs/EVENTS.md; every object has "event" and "time".
/// </summary>
public sealed class JsonConsoleOutput(TextWriter writer, TimeProvider clock) : IConsoleOutput
{
    private readonly Lock gate = new();

    public void Show(object message)
    {
        switch (message)
        {
            case NodeReady r:
                Write("ready", w =>
                {
                    w.WriteString("role", r.Role);
                    w.WriteString("address", r.Address);
                    w.WriteString("hash", r.Hash);
                    w.WriteNumber("startup_ms", Math.Round(r.StartupTime.TotalMilliseconds));
                    w.WriteString("data_dir", r.DataDir);
                    WriteOptional(w, "node_listen", r.NodeListen);
                    WriteOptional(w, "seed_listen", r.SeedListen);
                });
                break;
            case IdentityView v:
                Write("whoami", w =>
                {
                    w.WriteString("role", v.Role);
                    w.WriteString("address", v.Address);
                    w.WriteString("hash", v.Hash);
                    w.WriteBoolean("key_encrypted", v.KeyEncrypted);
                    w.WriteString("key_file", v.KeyFile);
                });
                break;
            case ContactsView c:
                Write("contacts", w =>
                {
                    w.WriteStartArray("contacts");
                    foreach (var contact in c.Contacts)
                    {
                        w.WriteStartObject();
                        WriteContact(w, contact);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                break;
            case ContactAddedReply a:
                Write("contact-added", w => WriteContact(w, a.Contact));
                break;
            case ContactRemovedReply r:
                Write("contact-removed", w => { w.WriteString("name", r.Name); w.WriteString("hash", r.Hash); });
                break;
            case ContactRenamedReply r:
                Write("contact-renamed", w => { w.WriteString("old_name", r.OldName); WriteContact(w, r.Contact); });
                break;
            case KeysRotated k:
                Write("keys-rotated", w =>
                {
                    w.WriteString("address", k.Address);
                    w.WriteString("hash", k.Hash);
                    w.WriteString("previous_hash", k.PreviousHash);
                    w.WriteString("archived_to", k.ArchivedTo);
                });
                break;
            case NodeStatus s:
                Write("status", w =>
                {
                    WriteStatusHeader(w, "node", s.Address, s.Hash, s.Uptime, s.DataDir);
                    w.WriteString("database", s.Database);
                    w.WriteNumber("database_bytes", s.DatabaseBytes);
                    w.WriteBoolean("key_encrypted", s.KeyEncrypted);
                    w.WriteNumber("contacts", s.Contacts);
                    w.WriteNumber("journal_sequence_nr", s.JournalEvents);
                    w.WriteNumber("events_since_snapshot", s.EventsSinceSnapshot);
                    if (s.LastSnapshotAt is { } at) w.WriteString("last_snapshot_at", at);
                    else w.WriteNull("last_snapshot_at");
                    w.WriteBoolean("seed_in_process", s.SeedInProcess);
                    WriteOptional(w, "seed", s.SeedLink?.Seed);
                    w.WriteBoolean("registered_at_seed", s.SeedLink?.Registered ?? false);
                    WriteOptional(w, "server_reflexive", s.SeedLink?.ServerReflexive);
                    WriteOptional(w, "relay_state", s.Relay?.State);
                    WriteOptional(w, "relayed_candidate", s.Relay?.Relayed?.ToString());
                    WriteOptional(w, "relay_server", s.Relay?.Server);
                    foreach (var (name, value) in new[] { ("relay_allocations", s.Relay?.Allocations), ("relay_allocations_lost", s.Relay?.AllocationsLost) }) if (value is { } n) w.WriteNumber(name, n);
                    w.WriteNumber("peers_connected", s.Peers.Connected);
                    w.WriteNumber("peers_punching", s.Peers.Punching);
                    w.WriteNumber("overlay_degree", s.Peers.TargetDegree);
                    if (s.Gossip is { } gossip)
                    {
                        w.WriteNumber("book_records", gossip.Records);
                        w.WriteNumber("call_list_entries", gossip.CallEntries);
                        w.WriteNumber("gossip_neighbours", gossip.Neighbours);
                        w.WriteNumber("gossip_messages_sent", gossip.MessagesSent);
                        w.WriteNumber("gossip_bytes_sent", gossip.BytesSent);
                        w.WriteNumber("anti_entropy_rounds", gossip.AntiEntropyRounds);
                        w.WriteNumber("replicas_unjournalled", gossip.Unjournalled);
                    }
                    WriteCounts(w, "protocol_drops", s.Peers.Drops
                        .Concat(s.SeedLink?.Drops.Select(d => KeyValuePair.Create("seed-" + d.Key, d.Value)) ?? [])
                        .Concat(s.Gossip?.Drops.Select(d => KeyValuePair.Create("gossip-" + d.Key, d.Value)) ?? [])
                        .Concat(s.Relay?.Drops.Select(d => KeyValuePair.Create("relay-" + d.Key, d.Value)) ?? []));
                    WriteTransport(w, s.Transport);
                });
                break;
            case SeedIdentityView v:
                Write("whoami", w =>
                {
                    w.WriteString("role", "seed");
                    w.WriteString("address", v.Address);
                    w.WriteString("hash", v.Hash);
                    w.WriteString("public_key", v.PublicKeyHex);
                    w.WriteBoolean("key_encrypted", v.KeyEncrypted);
                    w.WriteString("key_file", v.KeyFile);
                });
                break;
            case SeedStatus s:
                Write("status", w =>
                {
                    WriteStatusHeader(w, "seed", s.Address, s.Hash, s.Uptime, s.DataDir);
                    w.WriteNumber("registered_peers", s.Server.RegisteredPeers);
                    w.WriteNumber("sessions", s.Server.Sessions);
                    w.WriteNumber("introductions", s.Server.IntroductionsMade);
                    w.WriteNumber("introductions_per_second", Math.Round(s.Server.IntroductionsPerSecond, 2));
                    w.WriteNumber("introductions_pending", s.Server.PendingIntroductions);
                    w.WriteNumber("introductions_abandoned", s.Server.IntroductionsAbandoned);
                    w.WriteNumber("relay_credentials_issued", s.Server.RelayCredentialsIssued);
                    if (s.Cluster is { } cluster)
                    {
                        w.WriteStartObject("cluster");
                        w.WriteString("self", cluster.Self);
                        w.WriteStartArray("members");
                        foreach (var member in cluster.Members) w.WriteStringValue(member);
                        w.WriteEndArray();
                        w.WriteNumber("peers_shared", cluster.SharedPeers);
                        w.WriteNumber("peers_elsewhere", s.Server.PeersElsewhereInCluster);
                        w.WriteNumber("introductions_forwarded", cluster.IntroductionsForwarded);
                        w.WriteNumber("introductions_from_cluster", s.Server.IntroductionsFromCluster);
                        w.WriteEndObject();
                    }
                    else w.WriteNull("cluster");
                    WriteCounts(w, "protocol_drops", s.Server.Drops);
                    WriteTransport(w, s.Transport);
                });
                break;
            case PeersView p:
                Write("peers", w =>
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
                });
                break;
            case ConnectRequested c:
                Write("connect-requested", w => w.WriteString("hash", c.Hash));
                break;
            case BookSummary b:
                Write("book", w =>
                {
                    w.WriteNumber("records", b.Records);
                    if (b.Own is { } own) { w.WritePropertyName("own"); WriteRecord(w, own); } else w.WriteNull("own");
                });
                break;
            case RecordLookup r:
                Write("record", w =>
                {
                    w.WriteString("hash", r.Hash);
                    if (r.Record is { } record) { w.WritePropertyName("record"); WriteRecord(w, record); } else w.WriteNull("record");
                });
                break;
            case CallsView c:
                Write("calls", w =>
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
                });
                break;
            case CallPlaced c:
                Write("call-placed", w => { w.WriteString("call_id", c.CallId); w.WriteString("callee", c.Callee); w.WriteString("callee_address", c.CalleeAddress); });
                break;
            case CallCommandDone c:
                Write("call-command-done", w => { w.WriteString("command", c.Command); w.WriteString("call_id", c.CallId); });
                break;
            case CallIncoming c:
                Write("incoming-call", w => { w.WriteString("call_id", c.CallId); w.WriteString("caller", c.Caller); w.WriteString("caller_address", c.CallerAddress); w.WriteString("source", c.Source); });
                break;
            case CallRinging c:
                Write("ringing", w => { w.WriteString("call_id", c.CallId); w.WriteString("peer", c.Peer); });
                break;
            case CallEstablished c:
                Write("call-established", w =>
                {
                    w.WriteString("call_id", c.CallId);
                    w.WriteString("peer", c.Peer);
                    w.WriteString("role", c.Role);
                    w.WriteNumber("setup_ms", Math.Round(c.SetupMs, 1));
                    w.WriteString("video", c.Video);
                    w.WriteString("audio", c.Audio);
                });
                break;
            case CallStatsTick c:
                Write("call-stats", w =>
                {
                    w.WriteString("call_id", c.CallId);
                    w.WriteString("peer", c.Peer);
                    MediaStatsJson.Write(w, c.Media);
                });
                break;
            case CallMediaProblem c:
                Write("media-problem", w => { w.WriteString("call_id", c.CallId); w.WriteString("stage", c.Stage); w.WriteString("message", c.Message); });
                break;
            case CallFirstPicture c:
                Write("first-picture", w => { w.WriteString("call_id", c.CallId); w.WriteString("peer", c.Peer); w.WriteNumber("after_answer_ms", Math.Round(c.AfterAnswer.TotalMilliseconds, 1)); });
                break;
            case CallStatsReply c:
                Write("stats", w =>
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
                });
                break;
            case CallEnded c:
                Write("call-ended", w =>
                {
                    w.WriteString("call_id", c.CallId);
                    w.WriteString("peer", c.Peer);
                    w.WriteString("reason", c.Reason);
                    if (c.Duration is { } duration) w.WriteNumber("duration_s", Math.Round(duration.TotalSeconds, 1)); else w.WriteNull("duration_s");
                });
                break;
            case RecordLearned r:
                Write("record-learned", w => { w.WriteString("hash", r.Hash); w.WriteNumber("sequence", r.Sequence); w.WriteNumber("candidates", r.Candidates); });
                break;
            case PeerDisconnected d:
                Write("peer-disconnected", w => w.WriteString("hash", d.Hash));
                break;
            case RegisteredAtSeed s:
                Write("seed-registered", w => { w.WriteString("seed", s.Seed); WriteOptional(w, "server_reflexive", s.ServerReflexive); });
                break;
            case LostSeed s:
                Write("seed-lost", w => { w.WriteString("seed", s.Seed); w.WriteString("reason", s.Reason); });
                break;
            case PeerConnected p:
                Write("peer-connected", w =>
                {
                    w.WriteString("hash", p.Hash);
                    w.WriteString("path", p.PathKind);
                    w.WriteString("remote", p.RemoteEndPoint);
                    w.WriteNumber("setup_ms", Math.Round(p.SetupMs, 2));
                });
                break;
            case PeerPathChanged p:
                Write("peer-path-changed", w => { w.WriteString("hash", p.Hash); w.WriteString("path", p.PathKind); w.WriteString("remote", p.RemoteEndPoint); });
                break;
            case PeerLost p:
                Write("peer-lost", w => { w.WriteString("hash", p.Hash); w.WriteString("reason", p.Reason); });
                break;
            case NoDirectPath n:
                Write("no-direct-path", w =>
                {
                    w.WriteString("hash", n.Hash);
                    w.WriteNumber("candidates_tried", n.CandidatesTried);
                    w.WriteNumber("elapsed_ms", Math.Round(n.ElapsedMs));
                });
                break;
            case CommandFailed f:
                Error(f.Command, f.Message);
                break;
            default:
                Error("", $"unrenderable message {message.GetType().Name}");
                break;
        }
    }

    public void Warning(string message) => Write("warning", w => w.WriteString("message", message));

    public void Error(string command, string message) =>
        Write("error", w => { w.WriteString("command", command); w.WriteString("message", message); });

    public void Help(IReadOnlyList<(string Usage, string Description)> commands) => Write("help", w =>
    {
        w.WriteStartArray("commands");
        foreach (var (usage, description) in commands)
        {
            w.WriteStartObject();
            w.WriteString("usage", usage);
            w.WriteString("description", description);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public void Stopped(string reason) => Write("stopped", w => w.WriteString("reason", reason));

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

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void WriteTransport(Utf8JsonWriter w, Pype.Actors.Transport.TransportStatus t)
    {
        w.WriteString("listen", t.LocalEndPoint.ToString());
        w.WriteNumber("datagrams_in", t.DatagramsIn);
        w.WriteNumber("datagrams_out", t.DatagramsOut);
        w.WriteNumber("stun_answered", t.StunAnswered);
        WriteCounts(w, "drops", t.Drops);
    }

    private static void WriteStatusHeader(Utf8JsonWriter w, string role, string address, string hash, TimeSpan uptime, string dataDir)
    {
        w.WriteString("role", role);
        w.WriteString("address", address);
        w.WriteString("hash", hash);
        w.WriteNumber("uptime_s", Math.Round(uptime.TotalSeconds, 1));
        w.WriteString("data_dir", dataDir);
    }

    /// <summary>Counters by reason as one object, keys sorted so output is stable.</summary>
    private static void WriteCounts(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, long>> counts)
    {
        w.WriteStartObject(name);
        foreach (var (reason, count) in counts.OrderBy(d => d.Key)) w.WriteNumber(reason, count);
        w.WriteEndObject();
    }

    private static void WriteContact(Utf8JsonWriter w, ContactView contact)
    {
        w.WriteString("name", contact.Name);
        w.WriteString("hash", contact.Hash);
        w.WriteString("address", contact.Address);
        w.WriteString("added_at", contact.AddedAt);
    }

    private void Write(string eventName, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("event", eventName);
            w.WriteString("time", clock.GetUtcNow());
            body(w);
            w.WriteEndObject();
        }
        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
