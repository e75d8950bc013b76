using Akka.Actor;
using Pype.Actors.Configuration;
using Pype.Actors.Storage;

namespace Pype.Actors.Seed;

/// <summary>
/// The root of a seed: owns the seed's identity (the key nodes pin in their configuration).
/// It runs beside a node in the same actor system when both are enabled.
/// </summary>
public sealed class SeedGuardian : ReceiveActor
{
    public const string Name = "seed";

    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;

    public SeedGuardian(PypeSettings settings, IdentityStore store, LoadedIdentity loaded)
    {
        var identity = loaded.Identity;
        Receive<SeedWhoAmI>(_ => Sender.Tell(new SeedIdentityView(
            Convert.ToHexStringLower(identity.PublicKey.Span), identity.Address, identity.Hash.ToString(), loaded.Encrypted, store.KeyFilePath)));
        Receive<GetSeedStatus>(_ => Sender.Tell(new SeedStatus(
            identity.Address, identity.Hash.ToString(), DateTimeOffset.UtcNow - startedAt, settings.DataDir)));
    }

    public static Props Props(PypeSettings settings, IdentityStore store, LoadedIdentity loaded) =>
        Akka.Actor.Props.Create(() => new SeedGuardian(settings, store, loaded));
}
