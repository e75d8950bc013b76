using CsCheck;
using Pype.Core.Media;
using Xunit;

namespace Pype.Core.Tests.Rtp;

public sealed class AnnexBSplitterTests
{
    [Fact]
    public void Access_units_come_back_whole_however_the_stream_is_chunked()
    {
        Gen.Select(SyntheticH264.Stream, Gen.Int, Gen.Int[1, 6000]).Sample((frames, seed, maxChunk) =>
        {
            var random = new Random(seed);
            var stream = SyntheticH264.AnnexB(frames, random);
            var splitter = new AnnexBSplitter();

            for (var offset = 0; offset < stream.Length;)
            {
                var size = Math.Min(random.Next(1, maxChunk + 1), stream.Length - offset);
                splitter.Push(stream.AsSpan(offset, size));
                offset += size;
            }
            splitter.Flush();

            var split = Drain(splitter);
            Assert.Equal(frames.Length, split.Count);
            for (var i = 0; i < frames.Length; i++)
                Assert.Equal(SyntheticH264.NalUnitsOf(frames[i], withoutDelimiter: false), SyntheticH264.NalUnitsOf(split[i], withoutDelimiter: false));
        }, iter: 300);
    }

    [Fact]
    public void An_access_unit_is_released_when_the_next_delimiter_is_read()
    {
        var splitter = new AnnexBSplitter();

        splitter.Push([0, 0, 0, 1, 0x09, 0x10, 0, 0, 0, 1, 0x65, 0x88, 0x84]);
        Assert.False(splitter.TryTake(out _));

        splitter.Push([0, 0, 0, 1, 0x09, 0x30, 0, 0, 1]);
        Assert.True(splitter.TryTake(out var first));
        Assert.Equal([[0x09, 0x10], [0x65, 0x88, 0x84]], SyntheticH264.NalUnitsOf(first, withoutDelimiter: false));
        Assert.True(first.IsKeyframe);
    }

    [Fact]
    public void Emulation_prevention_bytes_and_a_start_code_split_across_chunks_are_handled()
    {
        var splitter = new AnnexBSplitter();

        splitter.Push([0, 0]);
        splitter.Push([1, 0x09, 0xF0, 0]);
        splitter.Push([0]);
        splitter.Push([1, 0x41, 0, 0, 3, 1, 0, 0, 3, 0, 0x80]);
        splitter.Flush();

        Assert.True(splitter.TryTake(out var unit));
        Assert.Equal([[0x09, 0xF0], [0x41, 0, 0, 3, 1, 0, 0, 3, 0, 0x80]], SyntheticH264.NalUnitsOf(unit, withoutDelimiter: false));
        Assert.False(unit.IsKeyframe);
    }

    [Fact]
    public void Bytes_before_the_first_start_code_are_ignored()
    {
        var splitter = new AnnexBSplitter();

        splitter.Push([0xAB, 0xCD, 0, 0, 1, 0x09, 0xF0]);
        splitter.Flush();

        Assert.True(splitter.TryTake(out var unit));
        Assert.Single(unit.NalUnits);
    }

    [Fact]
    public void Annex_B_output_puts_a_four_byte_start_code_before_each_NAL_unit()
    {
        var unit = new AccessUnit([new byte[] { 0x09, 0xF0 }, new byte[] { 0x65, 1 }]);

        Assert.Equal(new byte[] { 0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, 0x65, 1 }, unit.ToAnnexB());
    }

    private static List<AccessUnit> Drain(AnnexBSplitter splitter)
    {
        var units = new List<AccessUnit>();
        while (splitter.TryTake(out var unit))
            units.Add(unit);
        return units;
    }
}
