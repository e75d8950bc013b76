using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Identity;

public sealed class HexPrefixTests
{
    private static readonly UInt128 Id = UInt128.Parse("0abc0000000000000000000000000001", System.Globalization.NumberStyles.HexNumber);

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("0abc", true)]
    [InlineData("0ABC", true)]
    [InlineData("  0ab ", true)]
    [InlineData("0abc0000000000000000000000000001", true)]
    [InlineData("abc", false)]
    [InlineData("0abd", false)]
    [InlineData("0abc00000000000000000000000000010", false)]
    public void A_prefix_matches_the_leading_hex_digits_of_an_id_in_either_case(string? prefix, bool matches) =>
        Assert.Equal(matches, HexPrefix.Matches(Id, prefix));

    [Fact]
    public void Choosing_names_the_one_match_or_counts_how_many_there_are()
    {
        string[] ids = ["ab01", "ab02", "cd03"];

        Assert.Equal(("cd03", 1), Pair(HexPrefix.Choose(ids, id => id, "c")));
        Assert.Equal((null, 2), Pair(HexPrefix.Choose(ids, id => id, "AB")));
        Assert.Equal((null, 3), Pair(HexPrefix.Choose(ids, id => id, null)));
        Assert.Equal((null, 0), Pair(HexPrefix.Choose(ids, id => id, "ef")));
        Assert.True(HexPrefix.Choose(ids, id => id, "ab02").IsUnique);
    }

    private static (string?, int) Pair(HexPrefix.Choice<string> choice) => (choice.Chosen, choice.Matching);
}
