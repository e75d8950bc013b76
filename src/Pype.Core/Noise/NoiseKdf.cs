namespace Pype.Core.Noise;

/// <summary>The Noise HKDF: HMAC-based extract-then-expand giving two or three HASHLEN outputs.</summary>
public static class NoiseKdf
{
    private const byte FirstCounter = 0x01;
    private const byte SecondCounter = 0x02;
    private const byte ThirdCounter = 0x03;

    public static (byte[] First, byte[] Second) DeriveTwo(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial)
    {
        var tempKey = NoiseHash.Hmac(chainingKey, inputKeyMaterial);
        var first = NoiseHash.Hmac(tempKey, [FirstCounter]);
        var second = NoiseHash.Hmac(tempKey, [.. first, SecondCounter]);
        return (first, second);
    }

    public static (byte[] First, byte[] Second, byte[] Third) DeriveThree(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial)
    {
        var tempKey = NoiseHash.Hmac(chainingKey, inputKeyMaterial);
        var first = NoiseHash.Hmac(tempKey, [FirstCounter]);
        var second = NoiseHash.Hmac(tempKey, [.. first, SecondCounter]);
        var third = NoiseHash.Hmac(tempKey, [.. second, ThirdCounter]);
        return (first, second, third);
    }
}
