using CsCheck;
using Pype.Core.Identity;
using Xunit;

namespace Pype.Core.Tests.Identity;

public sealed class KeyFilePropertyTests
{
    private const int CostFieldsStart = 6;
    private const int CostFieldsEnd = 14;
    private static readonly byte[] PlainFile = KeyFileTests.SealPlain();
    private static readonly byte[] EncryptedFile = KeyFileTests.SealEncrypted();

    [Fact]
    public void Random_bytes_never_make_Open_throw()
    {
        Gen.Byte.Array[0, 200].Sample(bytes => _ = KeyFile.Open(bytes, "passphrase"), iter: 100_000);
    }

    [Fact]
    public void Random_bytes_behind_the_magic_never_open_or_throw()
    {
        Gen.Byte.Array[0, 160].Sample(tail =>
        {
            byte[] bytes = [.. "PYPK"u8, .. tail];

            Assert.IsNotType<KeyFileOpenResult.Ok>(KeyFile.Open(bytes, "passphrase"));
        }, iter: 100_000);
    }

    [Fact]
    public void Random_damage_with_a_forged_checksum_never_throws()
    {
        // Forging the checksum gets the damage past the integrity check into the field parsing.
        // The cost fields are left alone: a damaged memory limit may legitimately ask for up to
        // 1 GiB, and their bounds have a test of their own.
        Gen.Select(Gen.Bool, Gen.Int[0, 149], Gen.Byte[1, 255]).Sample((encrypted, position, mask) =>
        {
            var file = (byte[])(encrypted ? EncryptedFile : PlainFile).Clone();
            var damaged = position % (file.Length - 16);
            if (encrypted && damaged is >= CostFieldsStart and < CostFieldsEnd)
            {
                damaged = CostFieldsEnd;
            }

            file[damaged] ^= mask;

            _ = KeyFile.Open(KeyFileTests.WithForgedChecksum(file), "wrong passphrase");
        }, iter: 2_000);
    }
}
