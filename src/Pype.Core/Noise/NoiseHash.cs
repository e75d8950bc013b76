using Sodium;

namespace Pype.Core.Noise;

/// <summary>The Noise HASH and HMAC-HASH functions for BLAKE2b.</summary>
public static class NoiseHash
{
    public const int HashLength = 64;
    public const int BlockLength = 128;

    private const byte InnerPad = 0x36;
    private const byte OuterPad = 0x5c;

    public static byte[] Hash(ReadOnlySpan<byte> data) => GenericHash.Hash(data.ToArray(), null, HashLength);

    public static byte[] Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => Hash([.. first, .. second]);

    /// <summary>
    /// RFC 2104 HMAC over unkeyed BLAKE2b, as Noise defines it; BLAKE2b's own keyed mode would
    /// give different bytes and break interoperability.
    /// </summary>
    public static byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var block = new byte[BlockLength];
        if (key.Length > BlockLength)
            Hash(key).CopyTo(block, 0);
        else
            key.CopyTo(block);

        var innerBlock = Xor(block, InnerPad);
        var outerBlock = Xor(block, OuterPad);
        var inner = Hash(innerBlock, data);
        return Hash(outerBlock, inner);
    }

    private static byte[] Xor(byte[] block, byte pad)
    {
        var result = new byte[block.Length];
        for (var i = 0; i < block.Length; i++)
            result[i] = (byte)(block[i] ^ pad);
        return result;
    }
}
