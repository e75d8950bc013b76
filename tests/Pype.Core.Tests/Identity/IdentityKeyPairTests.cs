using Pype.Core.Identity;
using Sodium;
using Xunit;

using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Identity;

public sealed class IdentityKeyPairTests
{
    // RFC 8032, section 7.1, TEST 1.
    private static readonly byte[] Rfc8032Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static readonly byte[] Rfc8032PublicKey = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static readonly byte[] Rfc8032EmptyMessageSignature = Convert.FromHexString(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    [Fact]
    public void Seed_from_RFC_8032_gives_its_public_key_and_signature()
    {
        var identity = IdentityKeyPair.FromSeed(Rfc8032Seed);

        Assert.Equal(Rfc8032PublicKey, identity.PublicKey.ToArray());
        Assert.Equal(Rfc8032EmptyMessageSignature, identity.Sign([]));
    }

    [Fact]
    public void Same_seed_gives_the_same_identity()
    {
        var seed = new byte[IdentityKeyPair.SeedLength];
        new SeededRandomSource(1).Fill(seed);

        var first = IdentityKeyPair.FromSeed(seed);
        var second = IdentityKeyPair.FromSeed(seed);

        Assert.Equal(first.PublicKey.ToArray(), second.PublicKey.ToArray());
        Assert.Equal(first.Address, second.Address);
        Assert.Equal(first.Hash, second.Hash);
    }

    [Fact]
    public void Generated_identities_differ()
    {
        var first = IdentityKeyPair.Generate();
        var second = IdentityKeyPair.Generate();

        Assert.NotEqual(first.PublicKey.ToArray(), second.PublicKey.ToArray());
    }

    [Fact]
    public void Generate_draws_its_seed_from_the_given_random_source()
    {
        var fromSource = IdentityKeyPair.Generate(new SeededRandomSource(7));
        var seed = new byte[IdentityKeyPair.SeedLength];
        new SeededRandomSource(7).Fill(seed);

        Assert.Equal(IdentityKeyPair.FromSeed(seed).PublicKey.ToArray(), fromSource.PublicKey.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Seed_of_the_wrong_length_is_refused(int length)
    {
        Assert.Throws<ArgumentException>(() => IdentityKeyPair.FromSeed(new byte[length]));
    }

    [Fact]
    public void Signature_verifies_against_the_signers_public_key()
    {
        var identity = IdentityKeyPair.Generate(new SeededRandomSource(2));
        var message = "hello, Pype"u8.ToArray();

        var signature = identity.Sign(message);

        Assert.Equal(IdentityKeyPair.SignatureLength, signature.Length);
        Assert.True(IdentityKeyPair.Verify(identity.PublicKey.Span, message, signature));
    }

    [Fact]
    public void Forged_signature_is_rejected()
    {
        var identity = IdentityKeyPair.Generate(new SeededRandomSource(3));
        var message = "record"u8.ToArray();
        var signature = identity.Sign(message);
        signature[10] ^= 0x01;

        Assert.False(IdentityKeyPair.Verify(identity.PublicKey.Span, message, signature));
    }

    [Fact]
    public void Signature_does_not_verify_for_another_message_or_another_key()
    {
        var signer = IdentityKeyPair.Generate(new SeededRandomSource(4));
        var other = IdentityKeyPair.Generate(new SeededRandomSource(5));
        var signature = signer.Sign("record"u8);

        Assert.False(IdentityKeyPair.Verify(signer.PublicKey.Span, "recorD"u8, signature));
        Assert.False(IdentityKeyPair.Verify(other.PublicKey.Span, "record"u8, signature));
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(31, 64)]
    [InlineData(33, 64)]
    [InlineData(32, 0)]
    [InlineData(32, 63)]
    [InlineData(32, 65)]
    public void Verify_with_wrong_lengths_returns_false_instead_of_throwing(int publicKeyLength, int signatureLength)
    {
        Assert.False(IdentityKeyPair.Verify(new byte[publicKeyLength], "m"u8, new byte[signatureLength]));
    }

    [Fact]
    public void X25519_keys_of_two_identities_agree_on_a_shared_secret()
    {
        var alice = IdentityKeyPair.Generate(new SeededRandomSource(6));
        var bob = IdentityKeyPair.Generate(new SeededRandomSource(8));

        var aliceSide = ScalarMult.Mult(alice.ToX25519PrivateKey(), IdentityKeyPair.ToX25519PublicKey(bob.PublicKey.Span));
        var bobSide = ScalarMult.Mult(bob.ToX25519PrivateKey(), IdentityKeyPair.ToX25519PublicKey(alice.PublicKey.Span));

        Assert.Equal(aliceSide, bobSide);
    }

    [Fact]
    public void X25519_public_key_is_the_base_point_times_the_X25519_private_key()
    {
        var identity = IdentityKeyPair.Generate(new SeededRandomSource(9));

        Assert.Equal(ScalarMult.Base(identity.ToX25519PrivateKey()), IdentityKeyPair.ToX25519PublicKey(identity.PublicKey.Span));
    }

    [Fact]
    public void Small_order_Ed25519_key_has_no_X25519_form()
    {
        // The neutral element (y = 1) has order one: a key an attacker might offer to force a known secret.
        var neutralElement = new byte[IdentityKeyPair.PublicKeyLength];
        neutralElement[0] = 1;

        Assert.False(IdentityKeyPair.TryToX25519PublicKey(neutralElement, out _));
        Assert.Throws<ArgumentException>(() => IdentityKeyPair.ToX25519PublicKey(neutralElement));
        Assert.False(IdentityKeyPair.TryToX25519PublicKey(new byte[31], out _));
    }

    [Fact]
    public void Hash_and_address_are_derived_from_the_public_key()
    {
        var identity = IdentityKeyPair.FromSeed(Rfc8032Seed);

        Assert.Equal(Convert.ToHexStringLower(CryptoHash.Sha256(Rfc8032PublicKey)), identity.Hash.ToString());
        Assert.Equal(PypeAddress.Encode(Rfc8032PublicKey), identity.Address);
    }
}
