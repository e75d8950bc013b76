using Pype.Core.Identity;
using Pype.Core.Noise;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class NoiseStaticKeyTests
{
    [Fact]
    public void Identity_converts_to_a_consistent_X25519_pair_that_peers_can_derive_from_the_public_key()
    {
        var identity = IdentityKeyPair.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        var staticKey = NoiseStaticKey.From(identity);

        Assert.Equal(X25519.FromPrivateKey(staticKey.PrivateKey).PublicKey, staticKey.PublicKey);
        Assert.True(IdentityKeyPair.TryToX25519PublicKey(identity.PublicKey.Span, out var derivedByPeer));
        Assert.Equal(staticKey.PublicKey, derivedByPeer);
    }
}
