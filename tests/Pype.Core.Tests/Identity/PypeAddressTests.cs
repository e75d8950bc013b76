using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Identity;

public sealed class PypeAddressTests
{
    private static readonly byte[] PublicKey = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static readonly string Address = PypeAddress.Encode(PublicKey);

    [Fact]
    public void Address_is_pype1_then_version_q_and_64_lower_case_characters_in_all()
    {
        Assert.Equal(64, PypeAddress.Length);
        Assert.Equal(PypeAddress.Length, Address.Length);
        Assert.StartsWith("pype1q", Address, StringComparison.Ordinal);
        Assert.Equal(Address.ToLowerInvariant(), Address);
    }

    [Fact]
    public void Address_parses_back_to_its_public_key()
    {
        Assert.Equal(PublicKey, ParsedKey(Address));
    }

    [Fact]
    public void Upper_case_address_is_accepted()
    {
        Assert.Equal(PublicKey, ParsedKey(Address.ToUpperInvariant()));
    }

    [Fact]
    public void Surrounding_whitespace_is_ignored()
    {
        Assert.Equal(PublicKey, ParsedKey($"  \t{Address}\n "));
    }

    [Fact]
    public void Mixed_case_is_rejected()
    {
        var mixed = Address[..10] + Address[10..].ToUpperInvariant();

        var failure = ParseFailure(mixed);

        Assert.Equal(AddressError.MixedCase, failure.Error);
        Assert.Contains("upper-case and lower-case", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_address_is_reported_as_empty(string? text)
    {
        Assert.Equal(AddressError.Empty, ParseFailure(text).Error);
    }

    [Theory]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")]
    [InlineData("hello")]
    [InlineData("Hello, world")]
    [InlineData("pype")]
    [InlineData("pype2qqqq")]
    public void Text_without_the_pype1_prefix_is_rejected(string text)
    {
        var failure = ParseFailure(text);

        Assert.Equal(AddressError.WrongPrefix, failure.Error);
        Assert.Contains("'pype1'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dropped_character_is_reported_as_missing()
    {
        var failure = ParseFailure(Address.Remove(20, 1));

        Assert.Equal(AddressError.WrongLength, failure.Error);
        Assert.Equal("the address is 63 characters long, a Pype address has 64: a character is missing", failure.Message);
    }

    [Fact]
    public void Inserted_character_is_reported_as_extra()
    {
        var failure = ParseFailure(Address.Insert(20, "q"));

        Assert.Equal(AddressError.WrongLength, failure.Error);
        Assert.Equal("the address is 65 characters long, a Pype address has 64: there is an extra character", failure.Message);
    }

    [Fact]
    public void Several_missing_characters_are_counted()
    {
        Assert.Equal(
            "the address is 60 characters long, a Pype address has 64: 4 characters are missing",
            ParseFailure(Address[..60]).Message);
    }

    [Fact]
    public void Character_outside_the_alphabet_is_named_with_its_position()
    {
        var failure = ParseFailure(Address[..16] + "b" + Address[17..]);

        Assert.Equal(AddressError.InvalidCharacter, failure.Error);
        Assert.Equal("character 17 ('b') is not allowed in an address", failure.Message);
    }

    [Fact]
    public void Invisible_character_is_named_by_its_code_point()
    {
        var failure = ParseFailure(Address[..30] + "\u200b" + Address[31..]);

        Assert.Equal(AddressError.InvalidCharacter, failure.Error);
        Assert.Equal("character 31 (U+200B) is not allowed in an address", failure.Message);
    }

    [Fact]
    public void Look_alike_of_a_letter_is_not_folded_into_it()
    {
        // U+212A KELVIN SIGN lowers to 'k' under Unicode rules.
        var index = Address.IndexOf('k', 5);
        var text = index > 0 ? Address[..index] + "\u212a" + Address[(index + 1)..] : Address[..40] + "\u212a" + Address[41..];

        Assert.Equal(AddressError.InvalidCharacter, ParseFailure(text).Error);
    }

    [Fact]
    public void Mistyped_character_is_reported_as_a_checksum_mismatch()
    {
        var position = 30;
        var replacement = Address[position] == 'q' ? 'p' : 'q';

        var failure = ParseFailure(Address[..position] + replacement + Address[(position + 1)..]);

        Assert.Equal(AddressError.ChecksumMismatch, failure.Error);
        Assert.Contains("a character is mistyped", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_of_a_future_version_is_reported_as_unsupported()
    {
        var future = PypeAddress.EncodeVersioned(1, Bech32m.BytesToFiveBitGroups(PublicKey));

        var failure = ParseFailure(future);

        Assert.Equal(AddressError.UnsupportedVersion, failure.Error);
        Assert.Contains("version 1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_with_stray_padding_bits_is_rejected_so_each_key_has_one_spelling()
    {
        var groups = Bech32m.BytesToFiveBitGroups(PublicKey);
        groups[^1] |= 1;

        Assert.Equal(AddressError.NonZeroPadding, ParseFailure(PypeAddress.EncodeVersioned(0, groups)).Error);
    }

    [Fact]
    public void Public_key_of_the_wrong_length_cannot_be_encoded()
    {
        Assert.Throws<ArgumentException>(() => PypeAddress.Encode(new byte[33]));
    }

    internal static byte[] ParsedKey(string text)
    {
        var result = PypeAddress.Parse(text);
        var ok = Assert.IsType<AddressParseResult.Ok>(result);
        return ok.PublicKey;
    }

    internal static AddressParseResult.Failed ParseFailure(string? text)
    {
        return Assert.IsType<AddressParseResult.Failed>(PypeAddress.Parse(text));
    }
}
