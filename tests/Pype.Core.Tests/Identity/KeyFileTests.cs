using System.Buffers.Binary;
using System.Security.Cryptography;
using Pype.Core.Identity;
using Xunit;

using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Identity;

public sealed class KeyFileTests
{
    private const string Passphrase = "correct horse battery staple";
    private static readonly IdentityKeyPair Identity = IdentityKeyPair.Generate(new SeededRandomSource(11));

    internal static byte[] SealPlain() => KeyFile.Seal(Identity, null, KeyFileCost.ForTests, new SeededRandomSource(12));

    internal static byte[] SealEncrypted() => KeyFile.Seal(Identity, Passphrase, KeyFileCost.ForTests, new SeededRandomSource(13));

    [Fact]
    public void Plain_file_opens_to_the_same_identity()
    {
        var file = SealPlain();

        Assert.Equal(86, file.Length);
        Assert.False(KeyFile.IsEncrypted(file));
        AssertOpensToIdentity(KeyFile.Open(file, null));
    }

    [Fact]
    public void Encrypted_file_opens_to_the_same_identity_with_its_passphrase()
    {
        var file = SealEncrypted();

        Assert.Equal(150, file.Length);
        Assert.True(KeyFile.IsEncrypted(file));
        AssertOpensToIdentity(KeyFile.Open(file, Passphrase));
    }

    [Fact]
    public void Non_ASCII_passphrase_round_trips()
    {
        var file = KeyFile.Seal(Identity, "pässwörd 🔑", KeyFileCost.ForTests, new SeededRandomSource(14));

        AssertOpensToIdentity(KeyFile.Open(file, "pässwörd 🔑"));
    }

    [Fact]
    public void Encrypted_file_does_not_contain_the_seed()
    {
        var file = SealEncrypted();

        Assert.Equal(-1, file.AsSpan().IndexOf(Identity.Seed));
    }

    [Fact]
    public void Empty_passphrase_writes_a_plain_file()
    {
        var file = KeyFile.Seal(Identity, "", KeyFileCost.ForTests, new SeededRandomSource(15));

        Assert.False(KeyFile.IsEncrypted(file));
        AssertOpensToIdentity(KeyFile.Open(file, null));
    }

    [Fact]
    public void Wrong_passphrase_is_reported_as_such()
    {
        Assert.IsType<KeyFileOpenResult.WrongPassphrase>(KeyFile.Open(SealEncrypted(), "Correct horse battery staple"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Encrypted_file_without_a_passphrase_asks_for_one(string? passphrase)
    {
        Assert.IsType<KeyFileOpenResult.PassphraseRequired>(KeyFile.Open(SealEncrypted(), passphrase));
    }

    [Fact]
    public void Same_random_source_gives_the_same_bytes_and_fresh_randomness_different_ones()
    {
        var again = KeyFile.Seal(Identity, Passphrase, KeyFileCost.ForTests, new SeededRandomSource(13));
        var fresh = KeyFile.Seal(Identity, Passphrase, KeyFileCost.ForTests, SystemRandomSource.Instance);

        Assert.Equal(SealEncrypted(), again);
        Assert.NotEqual(SealEncrypted(), fresh);
    }

    [Fact]
    public void Default_cost_is_three_passes_over_64_MiB()
    {
        Assert.Equal(new KeyFileCost(3, 64 * 1024 * 1024), KeyFileCost.Default);
        Assert.True(KeyFileCost.Default.IsWithinBounds);
    }

    [Theory]
    [InlineData(2u, 8192u)]
    [InlineData(17u, 8192u)]
    [InlineData(3u, 8191u)]
    [InlineData(3u, 1024u * 1024 * 1024 + 1)]
    public void Sealing_with_a_cost_Open_would_refuse_is_refused(uint opsLimit, uint memLimitBytes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => KeyFile.Seal(Identity, Passphrase, new KeyFileCost(opsLimit, memLimitBytes), new SeededRandomSource(16)));
    }

    [Fact]
    public void Every_single_bit_flip_of_an_encrypted_file_is_caught()
    {
        AssertEveryBitFlipIsCaught(SealEncrypted());
    }

    [Fact]
    public void Every_single_bit_flip_of_a_plain_file_is_caught()
    {
        AssertEveryBitFlipIsCaught(SealPlain());
    }

    [Fact]
    public void Every_truncation_is_reported_as_corruption()
    {
        foreach (var file in new[] { SealPlain(), SealEncrypted() })
        {
            for (var length = 0; length < file.Length; length++)
            {
                Assert.IsType<KeyFileOpenResult.Corrupted>(KeyFile.Open(file.AsSpan(0, length), Passphrase));
            }
        }
    }

    [Fact]
    public void Trailing_bytes_are_reported_as_corruption()
    {
        Assert.IsType<KeyFileOpenResult.Corrupted>(KeyFile.Open([.. SealPlain(), 0], null));
    }

    [Fact]
    public void Tampered_ciphertext_with_a_forged_checksum_is_caught_by_the_AEAD()
    {
        var file = SealEncrypted();
        file[100] ^= 0x01;

        Assert.IsType<KeyFileOpenResult.WrongPassphrase>(KeyFile.Open(WithForgedChecksum(file), Passphrase));
    }

    [Fact]
    public void Swapped_public_key_in_an_encrypted_header_with_a_forged_checksum_does_not_open()
    {
        var file = SealEncrypted();
        IdentityKeyPair.Generate(new SeededRandomSource(17)).PublicKey.Span.CopyTo(file.AsSpan(54));

        Assert.IsNotType<KeyFileOpenResult.Ok>(KeyFile.Open(WithForgedChecksum(file), Passphrase));
    }

    [Fact]
    public void Plain_file_whose_public_key_is_not_its_seeds_is_corrupted()
    {
        var file = SealPlain();
        IdentityKeyPair.Generate(new SeededRandomSource(18)).PublicKey.Span.CopyTo(file.AsSpan(6));

        var result = Assert.IsType<KeyFileOpenResult.Corrupted>(KeyFile.Open(WithForgedChecksum(file), null));
        Assert.Contains("public key", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(uint.MaxValue, 8192u)]
    [InlineData(3u, uint.MaxValue)]
    [InlineData(0u, 8192u)]
    [InlineData(3u, 0u)]
    public void Absurd_cost_in_the_header_is_refused_before_any_work(uint opsLimit, uint memLimitBytes)
    {
        var file = SealEncrypted();
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(6), opsLimit);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(10), memLimitBytes);

        Assert.IsType<KeyFileOpenResult.Corrupted>(KeyFile.Open(WithForgedChecksum(file), Passphrase));
    }

    [Fact]
    public void Intact_file_of_a_newer_version_is_unsupported_rather_than_corrupted()
    {
        var file = SealPlain();
        file[4] = 2;

        var result = Assert.IsType<KeyFileOpenResult.UnsupportedVersion>(KeyFile.Open(WithForgedChecksum(file), null));
        Assert.Equal(2, result.Version);
    }

    [Fact]
    public void Unknown_protection_mode_is_corrupted()
    {
        var file = SealPlain();
        file[5] = 7;

        Assert.IsType<KeyFileOpenResult.Corrupted>(KeyFile.Open(WithForgedChecksum(file), null));
    }

    [Fact]
    public void Bytes_that_are_not_a_key_file_are_corrupted_and_not_encrypted()
    {
        var text = "-----BEGIN OPENSSH PRIVATE KEY-----"u8.ToArray();

        Assert.IsType<KeyFileOpenResult.Corrupted>(KeyFile.Open(text, null));
        Assert.False(KeyFile.IsEncrypted(text));
        Assert.False(KeyFile.IsEncrypted([]));
    }

    private static void AssertEveryBitFlipIsCaught(byte[] file)
    {
        for (var bit = 0; bit < file.Length * 8; bit++)
        {
            var damaged = (byte[])file.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            var result = KeyFile.Open(damaged, Passphrase);

            Assert.True(
                result is KeyFileOpenResult.Corrupted or KeyFileOpenResult.WrongPassphrase,
                $"flipping bit {bit} gave {result}");
        }
    }

    private static void AssertOpensToIdentity(KeyFileOpenResult result)
    {
        var ok = Assert.IsType<KeyFileOpenResult.Ok>(result);
        Assert.Equal(Identity.PublicKey.ToArray(), ok.Identity.PublicKey.ToArray());
        Assert.Equal(Identity.Seed.ToArray(), ok.Identity.Seed.ToArray());
    }

    /// <summary>Recomputes the trailing checksum, as a deliberate forger (not a bad disk) would.</summary>
    internal static byte[] WithForgedChecksum(byte[] file)
    {
        var digest = SHA256.HashData(file.AsSpan(0, file.Length - 16));
        digest.AsSpan(0, 16).CopyTo(file.AsSpan(file.Length - 16));
        return file;
    }
}
