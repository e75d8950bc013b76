using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Pype.Core.Wire;
using Sodium;

namespace Pype.Core.Noise;

/// <summary>
/// The responder's half of WireGuard's cookie mechanism. A cookie is a MAC of the initiator's
/// source address and port under a secret that changes every <see cref="SecretLifetime"/>; only
/// a sender who receives packets at that address learns it, and one whose initiation carries a
/// mac2 keyed by it proves so. Checking mac2 and making a cookie reply cost two hashes and one
/// AEAD, never a Diffie-Hellman.
/// </summary>
public sealed class CookieChecker
{
    /// <summary>How long one secret mints and checks cookies; an initiator keeps a cookie as long.</summary>
    public static readonly TimeSpan SecretLifetime = TimeSpan.FromMinutes(2);

    public const int SecretLength = 32;

    private static readonly byte[] EncryptionKeyLabel = Encoding.ASCII.GetBytes("pype cookie v1");

    private readonly byte[] _encryptionKey;
    private readonly byte[] _secret = new byte[SecretLength];
    private DateTimeOffset? _secretBornAt;

    public CookieChecker(ReadOnlySpan<byte> localStaticPublicKey) => _encryptionKey = EncryptionKey(localStaticPublicKey);

    /// <summary>The key cookie replies to initiations meant for <paramref name="responderStaticPublicKey"/> are sealed with.</summary>
    public static byte[] EncryptionKey(ReadOnlySpan<byte> responderStaticPublicKey) =>
        GenericHash.Hash([.. EncryptionKeyLabel, .. responderStaticPublicKey], null, PacketMac.KeyLength);

    /// <summary>True when the handshake packet's mac2 is keyed by the cookie of <paramref name="source"/> under the current secret.</summary>
    public bool IsMac2Valid(ReadOnlySpan<byte> packet, IPEndPoint source, DateTimeOffset now)
    {
        // A secret past its lifetime checks nothing: its cookies have expired with it.
        if (_secretBornAt is not { } born || now - born >= SecretLifetime || now < born)
            return false;
        return PacketMac.IsMac2Valid(packet, Cookie(source));
    }

    /// <summary>
    /// The cookie reply (0xE4) to a screened initiation from <paramref name="source"/>: its cookie,
    /// sealed under the key derived from our static key with the initiation's mac1 as associated data.
    /// </summary>
    public byte[] CreateReply(ReadOnlySpan<byte> initiationPacket, IPEndPoint source, DateTimeOffset now, IRandomSource random)
    {
        if (_secretBornAt is not { } born || now - born >= SecretLifetime || now < born)
        {
            random.Fill(_secret);
            _secretBornAt = now;
        }
        var nonce = new byte[CookieReply.NonceLength];
        random.Fill(nonce);
        var sealedCookie = SecretAeadXChaCha20Poly1305.Encrypt(Cookie(source), nonce, _encryptionKey, PacketMac.Mac1(initiationPacket).ToArray());
        var receiverIndex = BinaryPrimitives.ReadUInt32LittleEndian(initiationPacket[HandshakeInitiation.SenderIndexOffset..]);
        return CookieReplyCodec.Encode(new CookieReply(receiverIndex, nonce, sealedCookie)).Value!;
    }

    private byte[] Cookie(IPEndPoint source)
    {
        // An IPv4 peer seen on a dual-stack socket is the same peer as on an IPv4 one.
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        var addressBytes = address.GetAddressBytes();
        var covered = new byte[addressBytes.Length + sizeof(ushort)];
        addressBytes.CopyTo(covered, 0);
        BinaryPrimitives.WriteUInt16BigEndian(covered.AsSpan(addressBytes.Length), (ushort)source.Port);
        return GenericHash.Hash(covered, _secret, PacketMac.CookieLength);
    }

    /// <summary>Opens a cookie reply sealed for an initiation whose mac1 is <paramref name="mac1"/>; null when it does not open.</summary>
    internal static byte[]? Open(ReadOnlySpan<byte> replyPacket, ReadOnlySpan<byte> mac1, byte[] encryptionKey)
    {
        var decoded = CookieReplyCodec.Decode(replyPacket);
        if (!decoded.IsSuccess)
            return null;
        try
        {
            return SecretAeadXChaCha20Poly1305.Decrypt(decoded.Value.EncryptedCookie, decoded.Value.Nonce, encryptionKey, mac1.ToArray());
        }
        catch (CryptographicException)
        {
            // Sodium.Core reports a forged or corrupted ciphertext only by throwing.
            return null;
        }
    }
}
