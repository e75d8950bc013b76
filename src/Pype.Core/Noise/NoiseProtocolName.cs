namespace Pype.Core.Noise;

/// <summary>Builds and reads "Noise_PATTERN_25519_ChaChaPoly_BLAKE2b", the only suite Pype implements.</summary>
public static class NoiseProtocolName
{
    public const string Prefix = "Noise_";
    public const string SuiteSuffix = "_25519_ChaChaPoly_BLAKE2b";

    public static string For(HandshakePattern pattern) => Prefix + pattern.Name + SuiteSuffix;

    /// <summary>Returns the pattern name, or null when the name is for another suite.</summary>
    public static string? PatternNameOf(string protocolName)
    {
        if (!protocolName.StartsWith(Prefix, StringComparison.Ordinal) || !protocolName.EndsWith(SuiteSuffix, StringComparison.Ordinal))
            return null;
        return protocolName[Prefix.Length..^SuiteSuffix.Length];
    }
}
