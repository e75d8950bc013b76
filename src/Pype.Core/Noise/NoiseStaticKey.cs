using Pype.Core.Identity;

namespace Pype.Core.Noise;

/// <summary>
/// A node's Noise static key is its Ed25519 identity converted to X25519, so one key pair both
/// signs records and authenticates sessions.
/// </summary>
public static class NoiseStaticKey
{
    public static NoiseKeyPair From(IdentityKeyPair identity) =>
        new(identity.ToX25519PrivateKey(), IdentityKeyPair.ToX25519PublicKey(identity.PublicKey.Span));
}
