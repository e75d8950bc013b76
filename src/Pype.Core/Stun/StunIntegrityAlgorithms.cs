namespace Pype.Core.Stun;

/// <summary>Which integrity attributes a message carries; both may be present (RFC 8489 §14.5, §14.6).</summary>
[Flags]
public enum StunIntegrityAlgorithms
{
    None = 0,
    Sha1 = 1,
    Sha256 = 2,
}
