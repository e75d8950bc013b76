using Pype.Core;
using Pype.Core.Identity;

namespace Pype.Actors.Storage;

/// <summary>A key file that cannot be used; start-up stops and the file is left as it is.</summary>
public sealed class IdentityStoreException(string message) : Exception(message);

/// <summary>What loading the identity found.</summary>
public sealed record LoadedIdentity(IdentityKeyPair Identity, bool Created, bool Encrypted, string? Warning);

/// <summary>
/// Keeps one identity key file in the data directory. Writes are atomic (temporary file, fsync,
/// rename) and owner-only from the first byte; a rotated key is archived, never deleted.
/// </summary>
public sealed class IdentityStore(string dataDirectory, string fileName, KeyFileCost cost)
{
    public const string NodeKeyFileName = "identity.key";
    public const string SeedKeyFileName = "seed-identity.key";
    public const string ArchiveFolderName = "keys-archive";
    public const string NoPassphraseWarning =
        "the key file is not protected by a passphrase; it is readable only by you (mode 0600). Use --passphrase-file or PYPE_PASSPHRASE to encrypt it.";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string KeyFilePath { get; } = Path.Combine(dataDirectory, fileName);

    public string ArchiveDirectory { get; } = Path.Combine(dataDirectory, ArchiveFolderName);

    public LoadedIdentity LoadOrCreate(string? passphrase)
    {
        if (!File.Exists(KeyFilePath))
        {
            var created = IdentityKeyPair.Generate();
            WriteAtomically(KeyFilePath, KeyFile.Seal(created, passphrase, cost, SystemRandomSource.Instance));
            return new LoadedIdentity(created, Created: true, Encrypted: passphrase is not null, passphrase is null ? NoPassphraseWarning : null);
        }
        byte[] bytes;
        try { bytes = File.ReadAllBytes(KeyFilePath); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IdentityStoreException($"cannot read the key file {KeyFilePath}: {ex.Message}");
        }
        var identity = Open(bytes, passphrase);
        var encrypted = KeyFile.IsEncrypted(bytes);
        return new LoadedIdentity(identity, Created: false, encrypted, encrypted ? null : NoPassphraseWarning);
    }

    /// <summary>Makes a new identity the active one and moves the old key file into the archive.</summary>
    public (IdentityKeyPair Identity, string ArchivedTo) Rotate(IdentityKeyPair current, string? passphrase)
    {
        Directory.CreateDirectory(ArchiveDirectory);
        var archived = Path.Combine(ArchiveDirectory,
            $"{Path.GetFileNameWithoutExtension(KeyFilePath)}-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{current.Hash.Short}.key");
        for (var n = 1; File.Exists(archived); n++)
            archived = Path.ChangeExtension(archived, null) + $"-{n}.key";
        WriteAtomically(archived, File.ReadAllBytes(KeyFilePath));
        var next = IdentityKeyPair.Generate();
        WriteAtomically(KeyFilePath, KeyFile.Seal(next, passphrase, cost, SystemRandomSource.Instance));
        return (next, archived);
    }

    private IdentityKeyPair Open(byte[] bytes, string? passphrase) => KeyFile.Open(bytes, passphrase) switch
    {
        KeyFileOpenResult.Ok ok => ok.Identity,
        KeyFileOpenResult.PassphraseRequired =>
            throw new IdentityStoreException($"the key file {KeyFilePath} is encrypted: give its passphrase with --passphrase-file FILE or PYPE_PASSPHRASE"),
        KeyFileOpenResult.WrongPassphrase =>
            throw new IdentityStoreException($"wrong passphrase for the key file {KeyFilePath} (the file was not changed)"),
        KeyFileOpenResult.Corrupted corrupted =>
            throw new IdentityStoreException($"the key file {KeyFilePath} is damaged: {corrupted.Reason} (the file was not changed; restore it from a backup or the archive)"),
        KeyFileOpenResult.UnsupportedVersion =>
            throw new IdentityStoreException($"the key file {KeyFilePath} was written by a newer Pype (the file was not changed)"),
        var other => throw new IdentityStoreException($"the key file {KeyFilePath} cannot be opened: {other}"),
    };

    internal static void WriteAtomically(string path, byte[] bytes)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Options = FileOptions.WriteThrough,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, OwnerOnly);
        File.Move(temporary, path, overwrite: true);
    }
}
