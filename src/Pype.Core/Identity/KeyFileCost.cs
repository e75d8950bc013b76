namespace Pype.Core.Identity;

/// <summary>
/// How hard Argon2id works to turn a passphrase into the key-file key. Stored in each file, so
/// the default can grow with hardware without breaking old files.
/// </summary>
public readonly record struct KeyFileCost(uint OpsLimit, uint MemLimitBytes)
{
    // libsodium would take one pass for Argon2id, but Sodium.Core refuses fewer than three for
    // either Argon2 variant; the memory floor is libsodium's crypto_pwhash_argon2id_MEMLIMIT_MIN.
    public const uint MinOpsLimit = 3;
    public const uint MinMemLimitBytes = 8 * 1024;

    // Ceilings chosen so a hostile or damaged file cannot make Open spend more than libsodium's
    // "sensitive" memory (1 GiB) or minutes of CPU before the passphrase is even checked.
    public const uint MaxOpsLimit = 16;
    public const uint MaxMemLimitBytes = 1024 * 1024 * 1024;

    /// <summary>libsodium's "moderate" ops with 64 MiB: about a second on a laptop.</summary>
    public static KeyFileCost Default { get; } = new(3, 64 * 1024 * 1024);

    /// <summary>The cheapest cost Sodium.Core accepts; for tests only, it protects nothing.</summary>
    public static KeyFileCost ForTests { get; } = new(MinOpsLimit, MinMemLimitBytes);

    public bool IsWithinBounds =>
        OpsLimit is >= MinOpsLimit and <= MaxOpsLimit &&
        MemLimitBytes is >= MinMemLimitBytes and <= MaxMemLimitBytes;
}
