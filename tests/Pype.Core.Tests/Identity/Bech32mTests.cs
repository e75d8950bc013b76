using CsCheck;
using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Identity;

public sealed class Bech32mTests
{
    // Valid Bech32m strings published in BIP-350.
    [Theory]
    [InlineData("A1LQFN3A")]
    [InlineData("a1lqfn3a")]
    [InlineData("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx")]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperredlc445v")]
    [InlineData("?1v759aa")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")]
    public void Checksum_of_a_BIP_350_example_verifies(string text)
    {
        Assert.True(ChecksumVerifies(text));
    }

    [Theory]
    [InlineData("M1VUXWEZ")] // BIP-350: checksum computed over the upper-case human-readable part.
    [InlineData("A12UEL5L")] // BIP-173: a valid Bech32 (not Bech32m) string.
    public void Checksum_of_a_string_that_is_not_Bech32m_fails(string text)
    {
        Assert.False(ChecksumVerifies(text));
    }

    [Fact]
    public void Created_checksum_verifies()
    {
        byte[] values = [0, 1, 2, 3, 31, 30];
        var withChecksum = values.Concat(Bech32m.CreateChecksum("pype", values)).ToArray();

        Assert.True(Bech32m.VerifyChecksum("pype", withChecksum));
    }

    [Fact]
    public void Bytes_survive_the_trip_through_five_bit_groups()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var groups = Bech32m.BytesToFiveBitGroups(bytes);

            Assert.All(groups, group => Assert.InRange(group, 0, 31));
            Assert.True(Bech32m.TryFiveBitGroupsToBytes(groups, out var back));
            Assert.Equal(bytes, back);
        });
    }

    [Fact]
    public void Groups_with_non_zero_padding_bits_are_refused()
    {
        var groups = Bech32m.BytesToFiveBitGroups(new byte[32]);
        groups[^1] = 1;

        Assert.False(Bech32m.TryFiveBitGroupsToBytes(groups, out _));
    }

    private static bool ChecksumVerifies(string text)
    {
        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf(Bech32m.Separator);
        var values = lower[(separator + 1)..].Select(c => (byte)Bech32m.ValueOf(c)).ToArray();
        return Bech32m.VerifyChecksum(lower[..separator], values);
    }
}
