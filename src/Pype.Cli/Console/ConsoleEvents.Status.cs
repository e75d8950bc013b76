using System.Text.Json;
using Pype.Actors.Node;
using Pype.Actors.Seed;
using Spectre.Console;
using static Pype.Cli.Console.ConsoleText;

namespace Pype.Cli.Console;

public static partial class ConsoleEvents
{
    /// <summary>The answers to `status`: a node's and a seed's, both named `status`.</summary>
    private static ConsoleEvent[] Status() =>
    [
        Define<NodeStatus>("status",
            (w, s) =>
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
                if (s.Relay is { } relay)
                {
                    w.WriteNumber("relay_allocations", relay.Allocations);
                    w.WriteNumber("relay_allocations_lost", relay.AllocationsLost);
                }
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
                    WriteCounts(w, "replica_refusals", gossip.Refused ?? new Dictionary<string, long>());
                }
                WriteCounts(w, "protocol_drops", s.Peers.Drops
                    .Concat(s.SeedLink?.Drops.Select(d => KeyValuePair.Create("seed-" + d.Key, d.Value)) ?? [])
                    .Concat(s.Gossip?.Drops.Select(d => KeyValuePair.Create("gossip-" + d.Key, d.Value)) ?? [])
                    .Concat(s.Relay?.Drops.Select(d => KeyValuePair.Create("relay-" + d.Key, d.Value)) ?? []));
                WriteTransport(w, s.Transport);
            },
            (t, s) =>
            {
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
                t.Write(status);
            }),
        Define<SeedStatus>("status",
            (w, s) =>
            {
                WriteStatusHeader(w, "seed", s.Address, s.Hash, s.Uptime, s.DataDir);
                w.WriteNumber("registered_peers", s.Server.RegisteredPeers);
                w.WriteNumber("sessions", s.Server.Sessions);
                w.WriteNumber("sessions_half_open", s.Server.HalfOpenSessions);
                w.WriteNumber("half_open_evictions", s.Server.HalfOpenEvictions);
                w.WriteNumber("stranger_session_evictions", s.Server.StrangerSessionEvictions);
                w.WriteNumber("handshake_dh_runs", s.Server.HandshakeDiffieHellmanRuns);
                w.WriteNumber("rate_limited_addresses", s.Server.RateLimitedAddresses);
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
            },
            (t, s) =>
            {
                var seed = new Table().AddColumns("seed", "");
                seed.AddRow("address", s.Address);
                seed.AddRow("hash", s.Hash);
                seed.AddRow("uptime", $"{s.Uptime:hh\\:mm\\:ss}");
                seed.AddRow("data dir", Markup.Escape(s.DataDir));
                seed.AddRow("registered peers", $"{s.Server.RegisteredPeers} ({s.Server.Sessions} sessions, {s.Server.HalfOpenSessions} of them half-open)");
                seed.AddRow("handshakes", $"{s.Server.HandshakeDiffieHellmanRuns} reached the Diffie-Hellman; pushed out: {s.Server.HalfOpenEvictions} half-open, {s.Server.StrangerSessionEvictions} idle unregistered; {s.Server.RateLimitedAddresses} addresses rate-tracked");
                seed.AddRow("introductions", $"{s.Server.IntroductionsMade} made, {s.Server.IntroductionsPerSecond:0.##}/s now, {s.Server.PendingIntroductions} pending, {s.Server.IntroductionsAbandoned} abandoned");
                seed.AddRow("relay credentials", $"{s.Server.RelayCredentialsIssued} issued");
                if (s.Cluster is { } cluster)
                    seed.AddRow("cluster", Markup.Escape($"{cluster.Members.Count} members ({string.Join(", ", cluster.Members)}); {cluster.SharedPeers} peers shared, {s.Server.PeersElsewhereInCluster} held elsewhere; {cluster.IntroductionsForwarded} introductions forwarded, {s.Server.IntroductionsFromCluster} received"));
                seed.AddRow("protocol drops", Markup.Escape(Counts(s.Server.Drops)));
                AddTransportRows(seed, s.Transport);
                t.Write(seed);
            }),
    ];

    private static void WriteStatusHeader(Utf8JsonWriter w, string role, string address, string hash, TimeSpan uptime, string dataDir)
    {
        w.WriteString("role", role);
        w.WriteString("address", address);
        w.WriteString("hash", hash);
        w.WriteNumber("uptime_s", Math.Round(uptime.TotalSeconds, 1));
        w.WriteString("data_dir", dataDir);
    }

    private static void WriteTransport(Utf8JsonWriter w, Pype.Actors.Transport.TransportStatus t)
    {
        w.WriteString("listen", t.LocalEndPoint.ToString());
        w.WriteNumber("datagrams_in", t.DatagramsIn);
        w.WriteNumber("datagrams_out", t.DatagramsOut);
        w.WriteNumber("stun_answered", t.StunAnswered);
        WriteCounts(w, "drops", t.Drops);
    }
}
