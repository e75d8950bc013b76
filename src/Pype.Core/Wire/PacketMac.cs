using System.Security.Cryptography;
using System.Text;
using Sodium;

namespace Pype.Core.Wire;

/// <summary>
/// The two trailers of handshake packets, as WireGuard has them. mac1 is a keyed BLAKE2b over the
/// packet up to mac1, keyed by a hash of the receiver's static public key: anyone may compute it,
/// but only a sender who knows whom it is talking to can, so a node drops stray or scanning
/// packets before spending a DH on them. mac2 is a keyed BLAKE2b over the packet up to mac2
/// (mac1 included), keyed by the cookie the receiver handed to the sender's address; all zero
/// when the sender holds no cookie. mac2 proves the sender receives at the address it claims.
/// </summary>
public static class PacketMac
{
    public const int MacLength = 16;
    public const int KeyLength = 32;
    public const int StaticPublicKeyLength = 32;
    public const int CookieLength = 16;

    /// <summary>mac1 ‖ mac2, the last bytes of every handshake packet.</summary>
    public const int TrailerLength = 2 * MacLength;

    /// <summary>Domain separation, so this key can never collide with any other hash of a public key.</summary>
    public static readonly byte[] Label = Encoding.ASCII.GetBytes("pype mac1 v1");

    public static byte[] DeriveKey(ReadOnlySpan<byte> receiverStaticPublicKey) =>
        GenericHash.Hash([.. Label, .. receiverStaticPublicKey], null, KeyLength);

    /// <summary>Writes mac1 (over everything before the trailer) and clears mac2.</summary>
    public static void Seal(Span<byte> packet, ReadOnlySpan<byte> receiverStaticPublicKey)
    {
        Mac(packet[..^TrailerLength], DeriveKey(receiverStaticPublicKey)).CopyTo(packet[^TrailerLength..^MacLength]);
        packet[^MacLength..].Clear();
    }

    public static bool IsValid(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> receiverStaticPublicKey)
    {
        if (packet.Length < TrailerLength || receiverStaticPublicKey.Length != StaticPublicKeyLength)
            return false;
        return CryptographicOperations.FixedTimeEquals(Mac(packet[..^TrailerLength], DeriveKey(receiverStaticPublicKey)), Mac1(packet));
    }

    /// <summary>The packet's mac1: the associated data of a cookie reply to it.</summary>
    public static ReadOnlySpan<byte> Mac1(ReadOnlySpan<byte> packet) => packet[^TrailerLength..^MacLength];

    /// <summary>Writes mac2 over everything before it (mac1 included), keyed by <paramref name="cookie"/>.</summary>
    public static void SealMac2(Span<byte> packet, ReadOnlySpan<byte> cookie) =>
        Mac(packet[..^MacLength], cookie.ToArray()).CopyTo(packet[^MacLength..]);

    public static bool IsMac2Valid(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> cookie)
    {
        if (packet.Length < TrailerLength || cookie.Length != CookieLength)
            return false;
        return CryptographicOperations.FixedTimeEquals(Mac(packet[..^MacLength], cookie.ToArray()), packet[^MacLength..]);
    }

    private static byte[] Mac(ReadOnlySpan<byte> covered, byte[] key) => GenericHash.Hash(covered.ToArray(), key, MacLength);
}
