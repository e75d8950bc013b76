using System.Text.Json;

namespace Pype.Core.Tests.Stun;

/// <summary>The RFC 5769 vectors from the shared vectors file, with their expected fields.</summary>
public static class Rfc5769Vectors
{
    private static readonly Lazy<IReadOnlyDictionary<string, Rfc5769Vector>> All = new(Load);

    public static IEnumerable<object[]> Names => All.Value.Keys.Select(name => new object[] { name });

    public static Rfc5769Vector Named(string name) => All.Value[name];

    private static IReadOnlyDictionary<string, Rfc5769Vector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "stun-rfc5769.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("vectors").EnumerateArray()
            .Select(vector => new Rfc5769Vector(
                vector.GetProperty("name").GetString()!,
                Convert.FromHexString(vector.GetProperty("hex").GetString()!),
                vector.GetProperty("expect").EnumerateObject().ToDictionary(
                    field => field.Name,
                    field => field.Value.ValueKind switch
                    {
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => field.Value.GetString()!,
                    })))
            .ToDictionary(vector => vector.Name);
    }
}

public sealed record Rfc5769Vector(string Name, byte[] Bytes, IReadOnlyDictionary<string, string> Expect)
{
    public string? this[string field] => Expect.GetValueOrDefault(field);

    public override string ToString() => Name;
}
