using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Contacts;
using Pype.Actors.Hosting;
using Pype.Actors.Peers;
using Pype.Actors.Replication;
using Pype.Actors.Transport;

namespace Pype.Actors.Node;

/// <summary>
/// The <c>status</c> command: which parts it asks, and the answer it makes of what came back.
/// The contact list and the gossip replicas may be held up by the database, so a status without
/// them is still given (their figures -1 or absent); without the transport, the peer list, the
/// seed link or the relay there is no status to give.
/// </summary>
public sealed class NodeStatusReport(PypeSettings settings, DateTimeOffset startedAt)
{
    public static IReadOnlyList<(IActorRef Part, object Question)> Questions(NodeParts parts)
    {
        List<(IActorRef, object)> questions =
        [
            (parts.Contacts, GetContactsStatus.Instance),
            (parts.Transport, GetTransportStatus.Instance),
            (parts.Peers, GetPeerListStatus.Instance),
            (parts.Gossip, GetGossipStatus.Instance),
        ];
        if (parts.SeedLink is { } seedLink) questions.Add((seedLink, GetSeedLinkView.Instance));
        if (parts.Relay is { } relay) questions.Add((relay, Relay.GetRelayView.Instance));
        return questions;
    }

    public NodeReply From(NodeParts parts, IReadOnlyList<object> answers)
    {
        var contacts = answers.OfType<ContactsStatus>().FirstOrDefault();
        var transport = answers.OfType<TransportStatus>().FirstOrDefault();
        var peers = answers.OfType<PeerListStatus>().FirstOrDefault();
        var seedLink = answers.OfType<SeedLinkView>().FirstOrDefault();
        var relay = answers.OfType<Relay.RelayView>().FirstOrDefault();
        var silent = new[]
        {
            transport is null ? "the transport" : null,
            peers is null ? "the peer list" : null,
            parts.SeedLink is not null && seedLink is null ? "the seed link" : null,
            parts.Relay is not null && relay is null ? "the relay" : null,
        }.OfType<string>().ToList();
        if (transport is null || peers is null || silent.Count > 0)
            return new CommandFailed("status", $"{string.Join(", ", silent)} did not answer in time");
        var database = AkkaConfig.DatabasePath(settings);
        return new NodeStatus(
            parts.Identity.Address,
            parts.Identity.Hash.ToString(),
            DateTimeOffset.UtcNow - startedAt,
            settings.DataDir,
            database,
            File.Exists(database) ? new FileInfo(database).Length : 0,
            parts.KeyEncrypted,
            contacts?.Count ?? -1,
            contacts?.LastSequenceNr ?? -1,
            contacts?.EventsSinceSnapshot ?? -1,
            contacts?.LastSnapshotAt,
            settings.Seed.Enabled,
            transport,
            peers,
            seedLink,
            answers.OfType<GossipStatus>().FirstOrDefault(),
            relay);
    }
}
