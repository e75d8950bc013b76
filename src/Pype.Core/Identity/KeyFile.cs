using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Sodium;

namespace Pype.Core.Identity;

/// <summary>
/// The byte format of an identity at rest. Every version starts with the magic and a version
/// byte and ends with a truncated SHA-256 of everything before it, so damage is told apart from
/// a wrong passphrase and from a file written by a newer Pype.
/// </summary>
/// <remarks>
/// Version 1, plain (mode 0), 86 bytes:
/// magic "PYPK" | version | mode | public key (32) | seed (32) | checksum (16).
/// Version 1, passphrase (mode 1), 150 bytes:
/// magic "PYPK" | version | mode | ops limit (u32 BE) | mem limit in bytes (u32 BE) | salt (16) |
/// nonce (24) | public key (32) | XChaCha20-Poly1305(seed) (48) | checksum (16).
/// The AEAD key is Argon2id(UTF-8 passphrase, salt, ops, mem); its associated data is every
/// byte before the ciphertext.
/// </remarks>
public static class KeyFile
{
    public const byte CurrentVersion = 1;

    private const byte PlainMode = 0;
    private const byte PassphraseMode = 1;

    private static ReadOnlySpan<byte> Magic => "PYPK"u8;

    private const int VersionOffset = 4;
    private const int ModeOffset = 5;
    private const int ChecksumLength = 16;
    private const int EnvelopeLength = VersionOffset + 1 + ChecksumLength;

    private const int PlainPublicKeyOffset = ModeOffset + 1;
    private const int PlainSeedOffset = PlainPublicKeyOffset + IdentityKeyPair.PublicKeyLength;
    private const int PlainChecksumOffset = PlainSeedOffset + IdentityKeyPair.SeedLength;
    private const int PlainLength = PlainChecksumOffset + ChecksumLength;

    private const int SaltLength = 16;
    private const int NonceLength = 24;
    private const int AeadTagLength = 16;
    private const int DerivedKeyLength = 32;
    private const int OpsLimitOffset = ModeOffset + 1;
    private const int MemLimitOffset = OpsLimitOffset + 4;
    private const int SaltOffset = MemLimitOffset + 4;
    private const int NonceOffset = SaltOffset + SaltLength;
    private const int SealedPublicKeyOffset = NonceOffset + NonceLength;
    private const int CiphertextOffset = SealedPublicKeyOffset + IdentityKeyPair.PublicKeyLength;
    private const int CiphertextLength = IdentityKeyPair.SeedLength + AeadTagLength;
    private const int SealedChecksumOffset = CiphertextOffset + CiphertextLength;
    private const int SealedLength = SealedChecksumOffset + ChecksumLength;

    /// <summary>
    /// Writes <paramref name="identity"/> in the current format: encrypted under
    /// <paramref name="passphrase"/>, or plain when it is null or empty (an empty passphrase
    /// would protect nothing while pretending to).
    /// </summary>
    public static byte[] Seal(IdentityKeyPair identity, string? passphrase, KeyFileCost cost, IRandomSource random)
    {
        return string.IsNullOrEmpty(passphrase)
            ? SealPlain(identity)
            : SealWithPassphrase(identity, passphrase, cost, random);
    }

    /// <summary>Reads any bytes at all; damage and hostile input come back as results, never as exceptions.</summary>
    public static KeyFileOpenResult Open(ReadOnlySpan<byte> bytes, string? passphrase)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            return new KeyFileOpenResult.Corrupted("not a Pype key file");
        }

        if (bytes.Length < EnvelopeLength || !HasValidChecksum(bytes))
        {
            return new KeyFileOpenResult.Corrupted("the file is damaged or truncated: its checksum does not match");
        }

        var version = bytes[VersionOffset];
        if (version != CurrentVersion)
        {
            return new KeyFileOpenResult.UnsupportedVersion(version);
        }

        var mode = bytes.Length > ModeOffset + ChecksumLength ? bytes[ModeOffset] : (byte)0xff;
        return (mode, bytes.Length) switch
        {
            (PlainMode, PlainLength) => OpenPlain(bytes),
            (PassphraseMode, SealedLength) => OpenWithPassphrase(bytes, passphrase),
            (PlainMode or PassphraseMode, _) => new KeyFileOpenResult.Corrupted($"the file has {bytes.Length} bytes, the wrong length for its kind"),
            _ => new KeyFileOpenResult.Corrupted($"unknown protection mode {mode}"),
        };
    }

    /// <summary>Whether the bytes claim to be a passphrase-protected key file; says nothing of their integrity.</summary>
    public static bool IsEncrypted(ReadOnlySpan<byte> bytes)
    {
        return bytes.Length > ModeOffset
            && bytes[..Magic.Length].SequenceEqual(Magic)
            && bytes[ModeOffset] == PassphraseMode;
    }

    private static byte[] SealPlain(IdentityKeyPair identity)
    {
        var file = new byte[PlainLength];
        WriteEnvelopeStart(file, PlainMode);
        identity.PublicKey.Span.CopyTo(file.AsSpan(PlainPublicKeyOffset));
        identity.Seed.CopyTo(file.AsSpan(PlainSeedOffset));
        WriteChecksum(file);
        return file;
    }

    private static byte[] SealWithPassphrase(IdentityKeyPair identity, string passphrase, KeyFileCost cost, IRandomSource random)
    {
        if (!cost.IsWithinBounds)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "the key file cost is outside the bounds Open accepts");
        }

        var file = new byte[SealedLength];
        WriteEnvelopeStart(file, PassphraseMode);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(OpsLimitOffset), cost.OpsLimit);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(MemLimitOffset), cost.MemLimitBytes);
        random.Fill(file.AsSpan(SaltOffset, SaltLength));
        random.Fill(file.AsSpan(NonceOffset, NonceLength));
        identity.PublicKey.Span.CopyTo(file.AsSpan(SealedPublicKeyOffset));

        var key = DeriveKey(passphrase, file.AsSpan(SaltOffset, SaltLength), cost);
        var seed = identity.Seed.ToArray();
        try
        {
            var ciphertext = SecretAeadXChaCha20Poly1305.Encrypt(
                seed, file.AsSpan(NonceOffset, NonceLength).ToArray(), key, file.AsSpan(0, CiphertextOffset).ToArray());
            ciphertext.CopyTo(file.AsSpan(CiphertextOffset));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(seed);
        }

        WriteChecksum(file);
        return file;
    }

    private static KeyFileOpenResult OpenPlain(ReadOnlySpan<byte> file)
    {
        var identity = IdentityKeyPair.FromSeed(file.Slice(PlainSeedOffset, IdentityKeyPair.SeedLength));
        return MatchesStoredPublicKey(identity, file.Slice(PlainPublicKeyOffset, IdentityKeyPair.PublicKeyLength));
    }

    private static KeyFileOpenResult OpenWithPassphrase(ReadOnlySpan<byte> file, string? passphrase)
    {
        var cost = new KeyFileCost(
            BinaryPrimitives.ReadUInt32BigEndian(file[OpsLimitOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(file[MemLimitOffset..]));
        if (!cost.IsWithinBounds)
        {
            return new KeyFileOpenResult.Corrupted(
                $"the passphrase cost ({cost.OpsLimit} passes over {cost.MemLimitBytes} bytes) is outside sane bounds");
        }

        if (string.IsNullOrEmpty(passphrase))
        {
            return new KeyFileOpenResult.PassphraseRequired();
        }

        byte[] key;
        try
        {
            key = DeriveKey(passphrase, file.Slice(SaltOffset, SaltLength), cost);
        }
        catch (OutOfMemoryException)
        {
            return new KeyFileOpenResult.Corrupted($"the file asks for {cost.MemLimitBytes} bytes to check the passphrase, more than this machine can spare");
        }

        byte[] seed;
        try
        {
            seed = SecretAeadXChaCha20Poly1305.Decrypt(
                file.Slice(CiphertextOffset, CiphertextLength).ToArray(),
                file.Slice(NonceOffset, NonceLength).ToArray(),
                key,
                file[..CiphertextOffset].ToArray());
        }
        catch (CryptographicException)
        {
            // The checksum already vouched for the bytes, so the key is what is wrong.
            return new KeyFileOpenResult.WrongPassphrase();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        try
        {
            var identity = IdentityKeyPair.FromSeed(seed);
            return MatchesStoredPublicKey(identity, file.Slice(SealedPublicKeyOffset, IdentityKeyPair.PublicKeyLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static KeyFileOpenResult MatchesStoredPublicKey(IdentityKeyPair identity, ReadOnlySpan<byte> storedPublicKey)
    {
        return identity.PublicKey.Span.SequenceEqual(storedPublicKey)
            ? new KeyFileOpenResult.Ok(identity)
            : new KeyFileOpenResult.Corrupted("the public key in the file does not belong to its secret key");
    }

    private static byte[] DeriveKey(string passphrase, ReadOnlySpan<byte> salt, KeyFileCost cost)
    {
        var passphraseBytes = Encoding.UTF8.GetBytes(passphrase);
        try
        {
            return PasswordHash.ArgonHashBinary(
                passphraseBytes,
                salt.ToArray(),
                cost.OpsLimit,
                (int)cost.MemLimitBytes,
                DerivedKeyLength,
                PasswordHash.ArgonAlgorithm.Argon_2ID13);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passphraseBytes);
        }
    }

    private static void WriteEnvelopeStart(Span<byte> file, byte mode)
    {
        Magic.CopyTo(file);
        file[VersionOffset] = CurrentVersion;
        file[ModeOffset] = mode;
    }

    private static void WriteChecksum(Span<byte> file)
    {
        var checksumOffset = file.Length - ChecksumLength;
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(file[..checksumOffset], digest);
        digest[..ChecksumLength].CopyTo(file[checksumOffset..]);
    }

    private static bool HasValidChecksum(ReadOnlySpan<byte> file)
    {
        var checksumOffset = file.Length - ChecksumLength;
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(file[..checksumOffset], digest);
        return CryptographicOperations.FixedTimeEquals(digest[..ChecksumLength], file[checksumOffset..]);
    }
}
