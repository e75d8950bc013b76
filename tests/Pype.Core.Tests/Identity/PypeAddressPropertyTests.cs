using CsCheck;
using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Identity;

/// <summary>
/// Exhaustive over the single-character mistakes of each generated address: every substitution,
/// deletion and insertion, not a sample of them.
/// </summary>
public sealed class PypeAddressPropertyTests
{
    private const int KeysPerProperty = 60;
    private static readonly Gen<byte[]> PublicKeys = Gen.Byte.Array[IdentityKeyPair.PublicKeyLength];

    [Fact]
    public void Any_public_key_survives_the_round_trip()
    {
        PublicKeys.Sample(key => Assert.Equal(key, PypeAddressTests.ParsedKey(PypeAddress.Encode(key))), iter: 1000);
    }

    [Fact]
    public void Every_single_character_substitution_is_rejected()
    {
        PublicKeys.Sample(key =>
        {
            var address = PypeAddress.Encode(key);
            for (var position = 0; position < address.Length; position++)
            {
                foreach (var replacement in Bech32m.Alphabet)
                {
                    if (replacement == address[position])
                    {
                        continue;
                    }

                    var mistyped = string.Concat(address.AsSpan(0, position), [replacement], address.AsSpan(position + 1));
                    var expected = position < PypeAddress.Prefix.Length ? AddressError.WrongPrefix : AddressError.ChecksumMismatch;
                    Assert.Equal(expected, PypeAddressTests.ParseFailure(mistyped).Error);
                }
            }
        }, iter: KeysPerProperty);
    }

    [Fact]
    public void Every_single_character_deletion_is_rejected()
    {
        PublicKeys.Sample(key =>
        {
            var address = PypeAddress.Encode(key);
            for (var position = 0; position < address.Length; position++)
            {
                var expected = position < PypeAddress.Prefix.Length ? AddressError.WrongPrefix : AddressError.WrongLength;
                Assert.Equal(expected, PypeAddressTests.ParseFailure(address.Remove(position, 1)).Error);
            }
        }, iter: KeysPerProperty);
    }

    [Fact]
    public void Every_single_character_insertion_is_rejected()
    {
        PublicKeys.Sample(key =>
        {
            var address = PypeAddress.Encode(key);
            for (var position = 0; position <= address.Length; position++)
            {
                foreach (var inserted in Bech32m.Alphabet)
                {
                    var expected = position < PypeAddress.Prefix.Length ? AddressError.WrongPrefix : AddressError.WrongLength;
                    Assert.Equal(expected, PypeAddressTests.ParseFailure(address.Insert(position, inserted.ToString())).Error);
                }
            }
        }, iter: KeysPerProperty);
    }

    [Fact]
    public void Every_swap_of_two_different_neighbours_is_rejected()
    {
        PublicKeys.Sample(key =>
        {
            var address = PypeAddress.Encode(key);
            for (var position = 0; position + 1 < address.Length; position++)
            {
                if (address[position] == address[position + 1])
                {
                    continue;
                }

                var swapped = address.ToCharArray();
                (swapped[position], swapped[position + 1]) = (swapped[position + 1], swapped[position]);
                var expected = position < PypeAddress.Prefix.Length ? AddressError.WrongPrefix : AddressError.ChecksumMismatch;
                Assert.Equal(expected, PypeAddressTests.ParseFailure(new string(swapped)).Error);
            }
        }, iter: KeysPerProperty);
    }
}
