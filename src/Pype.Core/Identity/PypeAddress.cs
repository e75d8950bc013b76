namespace Pype.Core.Identity;

/// <summary>
/// The address a person shares: <c>pype1</c>, a version symbol, the Ed25519 public key in
/// Bech32m 5-bit groups and a six-symbol Bech32m checksum, 64 characters in all.
/// </summary>
/// <remarks>
/// The BCH checksum catches any error in up to four characters, so a single mistyped character
/// and two swapped neighbours are always caught; the fixed length catches every dropped or extra
/// character before the checksum is even consulted.
/// </remarks>
public static class PypeAddress
{
    public const string HumanReadablePart = "pype";
    public const string Prefix = "pype1";
    public const byte CurrentVersion = 0;

    // string.Length is not a constant expression, so the prefix length is spelled out.
    private const int PrefixLength = 5;
    private const int VersionSymbolCount = 1;
    private const int KeyGroupCount = (IdentityKeyPair.PublicKeyLength * 8 + 4) / 5;

    /// <summary>The length of every Pype address.</summary>
    public const int Length = PrefixLength + VersionSymbolCount + KeyGroupCount + Bech32m.ChecksumLength;

    public static string Encode(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != IdentityKeyPair.PublicKeyLength)
        {
            throw new ArgumentException(
                $"a public key has {IdentityKeyPair.PublicKeyLength} bytes, this one has {publicKey.Length}",
                nameof(publicKey));
        }

        return EncodeVersioned(CurrentVersion, Bech32m.BytesToFiveBitGroups(publicKey));
    }

    public static AddressParseResult Parse(string? text)
    {
        var address = text?.Trim() ?? string.Empty;
        if (address.Length == 0)
        {
            return Fail(AddressError.Empty, "the address is empty");
        }

        // Only ASCII letters are folded: culture-aware lowering would turn look-alikes such as
        // the Kelvin sign into 'k' and let them through.
        var folded = string.Create(address.Length, address, static (lower, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                lower[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
            }
        });

        // The prefix comes before the case rule so that text which is no address at all, such as
        // "Hello", is called that rather than blamed for its capitals.
        if (!folded.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return Fail(
                AddressError.WrongPrefix,
                $"the address does not start with '{Prefix}': it is not a Pype address, or its beginning is mistyped");
        }

        if (address.Any(char.IsAsciiLetterLower) && address.Any(char.IsAsciiLetterUpper))
        {
            return Fail(
                AddressError.MixedCase,
                "the address mixes upper-case and lower-case letters: a Pype address is written all in one case");
        }

        address = folded;
        for (var i = Prefix.Length; i < address.Length; i++)
        {
            if (Bech32m.ValueOf(address[i]) < 0)
            {
                return Fail(
                    AddressError.InvalidCharacter,
                    $"character {i + 1} ({Describe(address[i])}) is not allowed in an address");
            }
        }

        if (address.Length != Length)
        {
            return Fail(AddressError.WrongLength, DescribeWrongLength(address.Length));
        }

        var values = new byte[address.Length - Prefix.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (byte)Bech32m.ValueOf(address[Prefix.Length + i]);
        }

        if (!Bech32m.VerifyChecksum(HumanReadablePart, values))
        {
            return Fail(
                AddressError.ChecksumMismatch,
                "the address does not match its checksum: a character is mistyped, or two are swapped");
        }

        var version = values[0];
        if (version != CurrentVersion)
        {
            return Fail(
                AddressError.UnsupportedVersion,
                $"the address is of version {version}, this Pype understands version {CurrentVersion} only: it may need an update");
        }

        var keyGroups = values.AsSpan(VersionSymbolCount, KeyGroupCount);
        if (!Bech32m.TryFiveBitGroupsToBytes(keyGroups, out var publicKey))
        {
            return Fail(
                AddressError.NonZeroPadding,
                "the address carries stray bits after the key: it was not written by Pype");
        }

        return new AddressParseResult.Ok(publicKey);
    }

    /// <summary>Builds an address with any version symbol; the public path writes only the current one.</summary>
    internal static string EncodeVersioned(byte version, ReadOnlySpan<byte> keyGroups)
    {
        var values = new byte[VersionSymbolCount + keyGroups.Length];
        values[0] = version;
        keyGroups.CopyTo(values.AsSpan(VersionSymbolCount));
        var checksum = Bech32m.CreateChecksum(HumanReadablePart, values);

        var text = new char[Prefix.Length + values.Length + checksum.Length];
        Prefix.CopyTo(text);
        var next = Prefix.Length;
        foreach (var value in values)
        {
            text[next++] = Bech32m.Alphabet[value];
        }

        foreach (var value in checksum)
        {
            text[next++] = Bech32m.Alphabet[value];
        }

        return new string(text);
    }

    private static string DescribeWrongLength(int actualLength)
    {
        var difference = actualLength - Length;
        var mistake = difference switch
        {
            -1 => "a character is missing",
            < 0 => $"{-difference} characters are missing",
            1 => "there is an extra character",
            _ => $"there are {difference} extra characters",
        };
        return $"the address is {actualLength} characters long, a Pype address has {Length}: {mistake}";
    }

    private static string Describe(char character)
    {
        var printable = character is > ' ' and < (char)127;
        return printable ? $"'{character}'" : $"U+{(int)character:X4}";
    }

    private static AddressParseResult.Failed Fail(AddressError error, string message) => new(error, message);
}
