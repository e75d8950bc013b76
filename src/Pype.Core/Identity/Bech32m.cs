namespace Pype.Core.Identity;

/// <summary>
/// The Bech32m checksum (BIP-173 BCH code with the BIP-350 constant) over 5-bit values, and the
/// conversion between bytes and 5-bit groups. Parsing policy (prefix, length, messages) is the
/// caller's business; this type only does the arithmetic.
/// </summary>
internal static class Bech32m
{
    public const string Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    public const int ChecksumLength = 6;
    public const char Separator = '1';

    private const uint Bech32mConstant = 0x2bc830a3;
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>The 5-bit value of an alphabet character, or -1 for a character outside the alphabet.</summary>
    public static int ValueOf(char character)
    {
        return character < 128 ? Alphabet.IndexOf(character, StringComparison.Ordinal) : -1;
    }

    /// <summary>The six checksum values to append after <paramref name="values"/>.</summary>
    public static byte[] CreateChecksum(string humanReadablePart, ReadOnlySpan<byte> values)
    {
        var residue = Polymod(humanReadablePart, values, ChecksumLength) ^ Bech32mConstant;
        var checksum = new byte[ChecksumLength];
        for (var i = 0; i < ChecksumLength; i++)
        {
            checksum[i] = (byte)((residue >> (5 * (ChecksumLength - 1 - i))) & 31);
        }

        return checksum;
    }

    /// <summary>True when <paramref name="valuesWithChecksum"/> ends in the right checksum.</summary>
    public static bool VerifyChecksum(string humanReadablePart, ReadOnlySpan<byte> valuesWithChecksum)
    {
        return Polymod(humanReadablePart, valuesWithChecksum, 0) == Bech32mConstant;
    }

    /// <summary>Splits bytes into 5-bit groups, padding the last group with zero bits.</summary>
    public static byte[] BytesToFiveBitGroups(ReadOnlySpan<byte> bytes)
    {
        var groups = new byte[(bytes.Length * 8 + 4) / 5];
        var accumulator = 0;
        var bitCount = 0;
        var next = 0;
        foreach (var value in bytes)
        {
            accumulator = (accumulator << 8) | value;
            bitCount += 8;
            while (bitCount >= 5)
            {
                bitCount -= 5;
                groups[next++] = (byte)((accumulator >> bitCount) & 31);
            }
        }

        if (bitCount > 0)
        {
            groups[next] = (byte)((accumulator << (5 - bitCount)) & 31);
        }

        return groups;
    }

    /// <summary>
    /// Joins 5-bit groups back into bytes. Fails when the leftover bits are not zero padding
    /// shorter than a group, so that every byte string has exactly one encoding.
    /// </summary>
    public static bool TryFiveBitGroupsToBytes(ReadOnlySpan<byte> groups, out byte[] bytes)
    {
        bytes = new byte[groups.Length * 5 / 8];
        var accumulator = 0;
        var bitCount = 0;
        var next = 0;
        foreach (var group in groups)
        {
            if (group > 31)
            {
                return false;
            }

            accumulator = ((accumulator << 5) | group) & 0xfff;
            bitCount += 5;
            if (bitCount >= 8)
            {
                bitCount -= 8;
                bytes[next++] = (byte)(accumulator >> bitCount);
            }
        }

        var padding = accumulator & ((1 << bitCount) - 1);
        return bitCount < 5 && padding == 0;
    }

    private static uint Polymod(string humanReadablePart, ReadOnlySpan<byte> values, int trailingZeros)
    {
        var checksum = 1u;
        foreach (var character in humanReadablePart)
        {
            checksum = Step(checksum, (uint)(character >> 5));
        }

        checksum = Step(checksum, 0);
        foreach (var character in humanReadablePart)
        {
            checksum = Step(checksum, (uint)(character & 31));
        }

        foreach (var value in values)
        {
            checksum = Step(checksum, value);
        }

        for (var i = 0; i < trailingZeros; i++)
        {
            checksum = Step(checksum, 0);
        }

        return checksum;
    }

    private static uint Step(uint checksum, uint value)
    {
        var top = checksum >> 25;
        checksum = ((checksum & 0x1ffffff) << 5) ^ value;
        for (var bit = 0; bit < Generator.Length; bit++)
        {
            if (((top >> bit) & 1) != 0)
            {
                checksum ^= Generator[bit];
            }
        }

        return checksum;
    }
}
