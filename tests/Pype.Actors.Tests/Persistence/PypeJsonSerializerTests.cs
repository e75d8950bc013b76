using System.Runtime.Serialization;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Pype.Actors.Contacts;
using Pype.Actors.Persistence;
using Pype.Core.Contacts;
using Xunit;

namespace Pype.Actors.Tests.Persistence;

public class PypeJsonSerializerTests : TestKit
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private PypeJsonSerializer Serializer => new((ExtendedActorSystem)Sys);

    private object RoundTrip(object value)
    {
        var bytes = Serializer.ToBinary(value);
        return Serializer.FromBinary(bytes, Serializer.Manifest(value));
    }

    [Fact]
    public void Every_stored_event_and_the_snapshot_round_trip()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var added = (ContactAdded)RoundTrip(new ContactAdded("alice", key, "ab", At));
        Assert.Equal(("alice", "ab", At), (added.Name, added.HashHex, added.AddedAt));
        Assert.Equal(key, added.PublicKey);
        Assert.Equal(new ContactRenamed("ab", "ally"), RoundTrip(new ContactRenamed("ab", "ally")));
        Assert.Equal(new ContactRemoved("ab"), RoundTrip(new ContactRemoved("ab")));
        var snapshot = (ContactsSnapshot)RoundTrip(new ContactsSnapshot([new Contact("alice", "ab", key, At)]));
        Assert.Equal("alice", Assert.Single(snapshot.Contacts).Name);
    }

    [Fact]
    public void Stored_manifests_never_name_dotnet_types()
    {
        Assert.Equal("contact-added/1", Serializer.Manifest(new ContactAdded("a", [], "", At)));
        Assert.Equal("contacts-snapshot/1", Serializer.Manifest(new ContactsSnapshot([])));
    }

    [Fact]
    public void Unknown_manifest_or_unreadable_bytes_fail_with_a_serialization_error()
    {
        Assert.Throws<SerializationException>(() => Serializer.FromBinary("{}"u8.ToArray(), "System.Diagnostics.Process, System"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary("{not json"u8.ToArray(), "contact-added/1"));
        Assert.Throws<SerializationException>(() => Serializer.FromBinary("null"u8.ToArray(), "contact-removed/1"));
    }

    [Fact]
    public void Akka_picks_this_serializer_for_contact_events()
    {
        var config = Pype.Actors.Hosting.AkkaConfig.For(
            Pype.Actors.Configuration.SettingsLoader.Load([], new Dictionary<string, string>(), _ => null).Settings,
            Pype.Actors.Configuration.SettingsLoader.Reference);
        using var system = ActorSystem.Create("serializer-binding", config);
        var serializer = system.Serialization.FindSerializerFor(new ContactRemoved("ab"));
        Assert.IsType<PypeJsonSerializer>(serializer);
    }
}
