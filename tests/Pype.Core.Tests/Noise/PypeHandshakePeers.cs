using Pype.Core.Noise;
using Pype.Core.Tests.Support;
using Sodium;

namespace Pype.Core.Tests.Noise;

/// <summary>Two Pype nodes with Ed25519 identities turned into Noise static keys, as the app does.</summary>
internal sealed class PypeHandshakePeers
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public PypeHandshakePeers(int seed = 1)
    {
        Random = new SeededRandomSource(seed);
        Alice = NewNode(Random);
        Bob = NewNode(Random);
    }

    public SeededRandomSource Random { get; }

    public NoiseKeyPair Alice { get; }

    public NoiseKeyPair Bob { get; }

    public NoiseResponder BobResponder(Func<byte[], bool>? isPeerAllowed = null) => new(Bob, isPeerAllowed ?? (_ => true));

    public NoiseInitiator AliceInitiates(DateTimeOffset now, uint index = 11) => new(Alice, Bob.PublicKey, index, now, Random);

    public (NoiseSession Alice, NoiseSession Bob) Handshake(DateTimeOffset now)
    {
        var initiator = AliceInitiates(now);
        var accepted = BobResponder().Respond(initiator.InitiationPacket, 22, now, Random);
        var completed = initiator.Complete(accepted.Value!.ResponsePacket, now);
        return (completed.Value!, accepted.Value.Session);
    }

    private static NoiseKeyPair NewNode(IRandomSource random)
    {
        var seed = new byte[32];
        random.Fill(seed);
        return NoiseStaticKey.From(Pype.Core.Identity.IdentityKeyPair.FromSeed(seed));
    }
}
