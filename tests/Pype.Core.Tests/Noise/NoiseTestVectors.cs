using System.Text.Json;

namespace Pype.Core.Tests.Noise;

/// <summary>The cacophony vectors for 25519_ChaChaPoly_BLAKE2b, as copied into the test output folder.</summary>
internal static class NoiseTestVectors
{
    private const string FileName = "noise-25519-chachapoly-blake2b.json";

    private static readonly Lazy<IReadOnlyList<NoiseVector>> Loaded = new(Load);

    public static IReadOnlyList<NoiseVector> All => Loaded.Value;

    private static IReadOnlyList<NoiseVector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", FileName);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(NoiseVector.From).ToList();
    }
}

internal sealed record NoiseVectorMessage(byte[] Payload, byte[] Ciphertext);

internal sealed record NoiseVector(
    string ProtocolName,
    byte[] InitiatorPrologue,
    byte[] ResponderPrologue,
    byte[]? InitiatorStatic,
    byte[] InitiatorEphemeral,
    byte[]? InitiatorRemoteStatic,
    byte[]? ResponderStatic,
    byte[] ResponderEphemeral,
    byte[]? ResponderRemoteStatic,
    bool UsesPsk,
    byte[] HandshakeHash,
    IReadOnlyList<NoiseVectorMessage> Messages)
{
    public static NoiseVector From(JsonElement element) => new(
        element.GetProperty("protocol_name").GetString()!,
        Hex(element, "init_prologue") ?? [],
        Hex(element, "resp_prologue") ?? [],
        Hex(element, "init_static"),
        Hex(element, "init_ephemeral")!,
        Hex(element, "init_remote_static"),
        Hex(element, "resp_static"),
        Hex(element, "resp_ephemeral")!,
        Hex(element, "resp_remote_static"),
        HasNonEmptyArray(element, "init_psks") || HasNonEmptyArray(element, "resp_psks"),
        Hex(element, "handshake_hash")!,
        element.GetProperty("messages").EnumerateArray()
            .Select(m => new NoiseVectorMessage(Convert.FromHexString(m.GetProperty("payload").GetString()!), Convert.FromHexString(m.GetProperty("ciphertext").GetString()!)))
            .ToList());

    public override string ToString() => ProtocolName;

    private static byte[]? Hex(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Convert.FromHexString(value.GetString()!) : null;

    private static bool HasNonEmptyArray(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0;
}
