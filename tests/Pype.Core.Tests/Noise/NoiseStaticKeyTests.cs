using Pype.Core.Noise;
using Sodium;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class NoiseStaticKeyTests
{
    [Fact]
    public void Seed_and_full_secret_key_give_the_same_X25519_pair_and_it_is_consistent()
    {
        var identity = PublicKeyAuth.GenerateKeyPair(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        var fromSeed = NoiseStaticKey.FromEd25519(identity.PrivateKey.AsSpan(0, 32), identity.PublicKey);
        var fromSecretKey = NoiseStaticKey.FromEd25519(identity.PrivateKey, identity.PublicKey);

        Assert.Equal(fromSeed.PrivateKey, fromSecretKey.PrivateKey);
        Assert.Equal(X25519.FromPrivateKey(fromSeed.PrivateKey).PublicKey, fromSeed.PublicKey);
        Assert.True(NoiseStaticKey.TryConvertPublicKey(identity.PublicKey, out var converted));
        Assert.Equal(fromSeed.PublicKey, converted);
    }

    [Fact]
    public void A_public_key_from_another_identity_is_refused()
    {
        var identity = PublicKeyAuth.GenerateKeyPair();
        var stranger = PublicKeyAuth.GenerateKeyPair();

        Assert.Throws<ArgumentException>(() => NoiseStaticKey.FromEd25519(identity.PrivateKey, stranger.PublicKey));
    }
}
