using System.Security.Cryptography;
using System.Text;

namespace Pype.Core.Stun;

/// <summary>
/// The HMAC key for MESSAGE-INTEGRITY (RFC 8489 §9.1.1, §9.2.2). Passwords are used as given:
/// Pype only issues plain ASCII credentials, for which the OpaqueString profile changes nothing,
/// so it is not implemented.
/// </summary>
public sealed class StunIntegrityKey
{
    private readonly byte[] _key;

    private StunIntegrityKey(byte[] key) => _key = key;

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>Short-term credential: the key is the password's bytes.</summary>
    public static StunIntegrityKey ShortTerm(string password) => new(Encoding.UTF8.GetBytes(password));

    /// <summary>Long-term credential with the default MD5 algorithm: MD5(username ":" realm ":" password).</summary>
    public static StunIntegrityKey LongTerm(string username, string realm, string password) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}")));

    public static StunIntegrityKey FromBytes(ReadOnlySpan<byte> key) => new(key.ToArray());

    public byte[] ToArray() => _key.ToArray();
}
