namespace Pype.Core.Stun;

/// <summary>
/// CRC-32 as used by ISO-HDLC / Ethernet (reflected polynomial 0xEDB88320, initial and final
/// value 0xFFFFFFFF), which is the CRC RFC 8489 §14.7 names for FINGERPRINT.
/// </summary>
internal static class Crc32
{
    private const uint ReflectedPolynomial = 0xEDB88320;
    private const uint InitialValue = 0xFFFFFFFF;
    private const uint FinalXor = 0xFFFFFFFF;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = InitialValue;
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ FinalXor;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint index = 0; index < table.Length; index++)
        {
            var entry = index;
            for (var bit = 0; bit < 8; bit++)
                entry = (entry & 1) != 0 ? (entry >> 1) ^ ReflectedPolynomial : entry >> 1;
            table[index] = entry;
        }
        return table;
    }
}
