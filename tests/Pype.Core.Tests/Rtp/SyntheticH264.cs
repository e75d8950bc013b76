using CsCheck;
using Pype.Core.Media;

namespace Pype.Core.Tests.Rtp;

/// <summary>
/// Realistic-looking H.264 without an encoder: access units of AUD, SPS, PPS (keyframes), SEI and
/// slices of varied sizes, whose bodies carry emulation prevention bytes like real ones, so no
/// start code appears inside a NAL unit and none ends in a zero byte.
/// </summary>
internal static class SyntheticH264
{
    public const byte AudHeader = 0x09;
    public const byte SpsHeader = 0x67;
    public const byte PpsHeader = 0x68;
    public const byte SeiHeader = 0x06;
    public const byte IdrHeader = 0x65;
    public const byte ReferenceSliceHeader = 0x41;
    public const byte DisposableSliceHeader = 0x01;

    /// <summary>A stream of 1–12 access units; every 4th or so is a keyframe.</summary>
    public static readonly Gen<AccessUnit[]> Stream =
        Gen.Select(Gen.Int, Gen.Int[1, 12], (seed, count) => Frames(new Random(seed), count));

    public static AccessUnit[] Frames(Random random, int count) =>
        Enumerable.Range(0, count).Select(i => Frame(random, keyframe: i == 0 || random.Next(4) == 0)).ToArray();

    public static AccessUnit Frame(Random random, bool keyframe)
    {
        var nalUnits = new List<ReadOnlyMemory<byte>> { new byte[] { AudHeader, keyframe ? (byte)0x10 : (byte)0x30 } };
        if (keyframe)
        {
            nalUnits.Add(NalUnit(SpsHeader, random.Next(8, 30), random));
            nalUnits.Add(NalUnit(PpsHeader, random.Next(4, 9), random));
        }
        if (random.Next(5) == 0)
            nalUnits.Add(NalUnit(SeiHeader, random.Next(5, 60), random));
        var slices = random.Next(1, 7);
        for (var i = 0; i < slices; i++)
        {
            var header = keyframe ? IdrHeader : random.Next(3) == 0 ? DisposableSliceHeader : ReferenceSliceHeader;
            nalUnits.Add(NalUnit(header, SliceSize(random), random));
        }
        return new AccessUnit(nalUnits);
    }

    /// <summary>Mostly under the x264 slice-max-size of 1200, some far above (up to 30 KB).</summary>
    public static int SliceSize(Random random) => random.Next(10) switch
    {
        < 6 => random.Next(2, 1200),
        < 9 => random.Next(1200, 5000),
        _ => random.Next(5000, 30_000),
    };

    /// <summary>A NAL unit of exactly <paramref name="length"/> bytes, emulation-prevented, ending in a non-zero byte.</summary>
    public static byte[] NalUnit(byte header, int length, Random random)
    {
        var nalUnit = new byte[length];
        nalUnit[0] = header;
        var zeros = 0;
        for (var i = 1; i < length; i++)
        {
            var value = random.Next(4) == 0 ? (byte)0 : (byte)random.Next(256);
            if (zeros >= 2 && value <= 3)
                value = 3;
            nalUnit[i] = value;
            zeros = value == 0 ? zeros + 1 : 0;
        }
        if (nalUnit[^1] == 0)
            nalUnit[^1] = 0x80;
        return nalUnit;
    }

    /// <summary>The access units as an Annex-B stream with a mix of 3- and 4-byte start codes and some trailing zeros.</summary>
    public static byte[] AnnexB(IEnumerable<AccessUnit> accessUnits, Random random)
    {
        var stream = new List<byte>();
        foreach (var nalUnit in accessUnits.SelectMany(a => a.NalUnits))
        {
            stream.AddRange(random.Next(2) == 0 ? [0, 0, 1] : [0, 0, 0, 1]);
            stream.AddRange(nalUnit.ToArray());
            if (random.Next(8) == 0)
                stream.AddRange(new byte[random.Next(1, 4)]);
        }
        return stream.ToArray();
    }

    public static IEnumerable<byte[]> NalUnitsOf(AccessUnit accessUnit, bool withoutDelimiter = true) =>
        accessUnit.NalUnits
            .Where(n => !withoutDelimiter || H264NalUnitType.Of(n.Span) != H264NalUnitType.AccessUnitDelimiter)
            .Select(n => n.ToArray());
}
