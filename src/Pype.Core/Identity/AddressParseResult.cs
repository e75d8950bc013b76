namespace Pype.Core.Identity;

/// <summary>What kind of mistake makes a text not a Pype address.</summary>
public enum AddressError
{
    Empty,
    WrongPrefix,
    WrongLength,
    InvalidCharacter,
    MixedCase,
    ChecksumMismatch,
    UnsupportedVersion,

    /// <summary>
    /// The checksum holds but the bits after the key are not zero: no Pype writes such an
    /// address, and accepting it would give one key two spellings.
    /// </summary>
    NonZeroPadding,
}

/// <summary>The outcome of <see cref="PypeAddress.Parse"/>: a public key or a reason in plain words.</summary>
public abstract record AddressParseResult
{
    private AddressParseResult()
    {
    }

    public sealed record Ok(byte[] PublicKey) : AddressParseResult;

    public sealed record Failed(AddressError Error, string Message) : AddressParseResult;
}
