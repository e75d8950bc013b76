using System.Text;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Pype.Actors.Contacts;
using Pype.Actors.Replication;
using Pype.Core.Contacts;

namespace Pype.Actors.Persistence;

/// <summary>
/// Serializer for what Pype writes to its own database: journal events and snapshots. Each type
/// has an explicit, versioned manifest and a fixed JSON shape, so stored data never names .NET
/// types and an unexpected manifest is an error instead of an arbitrary type being created.
/// </summary>
public sealed class PypeJsonSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerIdentifier = 4711;

    private const string ContactAddedManifest = "contact-added/1";
    private const string ContactRenamedManifest = "contact-renamed/1";
    private const string ContactRemovedManifest = "contact-removed/1";
    private const string ContactsSnapshotManifest = "contacts-snapshot/1";
    private const string ReplicaItemStoredManifest = "replica-item-stored/1";
    private const string ReplicaItemsSnapshotManifest = "replica-items-snapshot/1";

    private static readonly JsonSerializerOptions options = new(JsonSerializerDefaults.Web);

    public override int Identifier => SerializerIdentifier;

    public override string Manifest(object o) => o switch
    {
        ContactAdded => ContactAddedManifest,
        ContactRenamed => ContactRenamedManifest,
        ContactRemoved => ContactRemovedManifest,
        ContactsSnapshot => ContactsSnapshotManifest,
        ReplicaItemStored => ReplicaItemStoredManifest,
        ReplicaItemsSnapshot => ReplicaItemsSnapshotManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not stored by Pype", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), options);

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        ContactAddedManifest => Read<ContactAdded>(bytes, manifest),
        ContactRenamedManifest => Read<ContactRenamed>(bytes, manifest),
        ContactRemovedManifest => Read<ContactRemoved>(bytes, manifest),
        ContactsSnapshotManifest => Read<ContactsSnapshot>(bytes, manifest),
        ReplicaItemStoredManifest => Read<ReplicaItemStored>(bytes, manifest),
        ReplicaItemsSnapshotManifest => Read<ReplicaItemsSnapshot>(bytes, manifest),
        _ => throw new SerializationException($"unknown stored manifest '{manifest}'"),
    };

    private static T Read<T>(byte[] bytes, string manifest) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, options)
                ?? throw new SerializationException($"stored '{manifest}' is empty");
        }
        catch (JsonException ex)
        {
            throw new SerializationException($"stored '{manifest}' is unreadable: {ex.Message} ({Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 80)))})");
        }
    }
}
