using System.Security.Cryptography;
using System.Text;
using Sodium;

namespace Pype.Core.Wire;

/// <summary>
/// The "mac1" trailer of handshake packets: a keyed BLAKE2b over the packet, keyed by a hash of the
/// receiver's static public key. Anyone may compute it, but only a sender who knows whom it is
/// talking to can, so a node drops stray or scanning packets before spending a DH on them.
/// </summary>
public static class PacketMac
{
    public const int MacLength = 16;
    public const int KeyLength = 32;
    public const int StaticPublicKeyLength = 32;

    /// <summary>Domain separation, so this key can never collide with any other hash of a public key.</summary>
    public static readonly byte[] Label = Encoding.ASCII.GetBytes("pype mac1 v1");

    public static byte[] DeriveKey(ReadOnlySpan<byte> receiverStaticPublicKey) =>
        GenericHash.Hash([.. Label, .. receiverStaticPublicKey], null, KeyLength);

    /// <summary>Writes the mac of everything before the trailer into the last 16 bytes of the packet.</summary>
    public static void Seal(Span<byte> packet, ReadOnlySpan<byte> receiverStaticPublicKey) =>
        Compute(packet[..^MacLength], receiverStaticPublicKey).CopyTo(packet[^MacLength..]);

    public static bool IsValid(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> receiverStaticPublicKey)
    {
        if (packet.Length < MacLength || receiverStaticPublicKey.Length != StaticPublicKeyLength)
            return false;
        return CryptographicOperations.FixedTimeEquals(Compute(packet[..^MacLength], receiverStaticPublicKey), packet[^MacLength..]);
    }

    private static byte[] Compute(ReadOnlySpan<byte> covered, ReadOnlySpan<byte> receiverStaticPublicKey) =>
        GenericHash.Hash(covered.ToArray(), DeriveKey(receiverStaticPublicKey), MacLength);
}
