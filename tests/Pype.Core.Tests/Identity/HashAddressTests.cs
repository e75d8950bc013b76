using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Identity;

public sealed class HashAddressTests
{
    private static readonly byte[] PublicKey = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

    [Fact]
    public void Text_form_is_64_lower_case_hex_digits_of_the_digest()
    {
        var hash = HashAddress.FromPublicKey(PublicKey);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(PublicKey)), hash.ToString());
        Assert.Equal(HashAddress.HexLength, hash.ToString().Length);
    }

    [Fact]
    public void Short_form_is_the_first_eight_hex_digits()
    {
        var hash = HashAddress.FromPublicKey(PublicKey);

        Assert.Equal(hash.ToString()[..8], hash.Short);
    }

    [Fact]
    public void Parsing_the_text_form_in_either_case_gives_the_same_value()
    {
        var hash = HashAddress.FromPublicKey(PublicKey);

        Assert.True(HashAddress.TryParse(hash.ToString(), out var fromLower));
        Assert.True(HashAddress.TryParse(hash.ToString().ToUpperInvariant(), out var fromUpper));
        Assert.Equal(hash, fromLower);
        Assert.Equal(hash, fromUpper);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("d75a9801")]
    [InlineData("zz5a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")]
    [InlineData("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511")]
    [InlineData("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a0")]
    [InlineData(" 75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")]
    public void Text_that_is_not_64_hex_digits_is_not_a_hash_address(string? text)
    {
        Assert.False(HashAddress.TryParse(text, out _));
    }

    [Fact]
    public void Equal_hashes_find_the_same_dictionary_entry()
    {
        var book = new Dictionary<HashAddress, string> { [HashAddress.FromPublicKey(PublicKey)] = "alice" };
        HashAddress.TryParse(HashAddress.FromPublicKey(PublicKey).ToString(), out var parsed);

        Assert.Equal("alice", book[parsed]);
        Assert.Equal(HashAddress.FromPublicKey(PublicKey).GetHashCode(), parsed.GetHashCode());
    }

    [Fact]
    public void Different_keys_give_different_hashes()
    {
        var otherKey = (byte[])PublicKey.Clone();
        otherKey[31] ^= 1;

        Assert.NotEqual(HashAddress.FromPublicKey(PublicKey), HashAddress.FromPublicKey(otherKey));
    }

    [Fact]
    public void Bytes_round_trip()
    {
        var hash = HashAddress.FromPublicKey(PublicKey);

        Assert.Equal(hash, HashAddress.FromBytes(hash.ToBytes()));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(PublicKey), hash.ToBytes());
    }

    [Fact]
    public void Public_key_of_the_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => HashAddress.FromPublicKey(new byte[31]));
    }
}
