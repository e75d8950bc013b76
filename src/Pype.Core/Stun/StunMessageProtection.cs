namespace Pype.Core.Stun;

/// <summary>Which trailer attributes the encoder appends, and with which key.</summary>
public sealed record StunMessageProtection(
    StunIntegrityKey? IntegrityKey = null,
    StunIntegrityAlgorithms Integrity = StunIntegrityAlgorithms.None,
    bool Fingerprint = true)
{
    public static StunMessageProtection FingerprintOnly { get; } = new();
    public static StunMessageProtection Unprotected { get; } = new(Fingerprint: false);

    public static StunMessageProtection WithIntegrity(
        StunIntegrityKey key,
        StunIntegrityAlgorithms algorithms = StunIntegrityAlgorithms.Sha1,
        bool fingerprint = true) =>
        new(key, algorithms, fingerprint);
}
