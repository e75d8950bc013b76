namespace Pype.Core.Identity;

/// <summary>The outcome of <see cref="KeyFile.Open"/>; every input bytes maps to exactly one.</summary>
public abstract record KeyFileOpenResult
{
    private KeyFileOpenResult()
    {
    }

    public sealed record Ok(IdentityKeyPair Identity) : KeyFileOpenResult;

    /// <summary>The file is intact and encrypted, and no passphrase was given.</summary>
    public sealed record PassphraseRequired() : KeyFileOpenResult;

    /// <summary>The file is intact but the passphrase does not decrypt it.</summary>
    public sealed record WrongPassphrase() : KeyFileOpenResult;

    public sealed record Corrupted(string Reason) : KeyFileOpenResult;

    /// <summary>An intact file written by a newer Pype.</summary>
    public sealed record UnsupportedVersion(int Version) : KeyFileOpenResult;
}
