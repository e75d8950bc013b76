using Akka.Configuration;
using Pype.Core.Identity;
using Pype.Core.Seed;

namespace Pype.Actors.Configuration;

/// <summary>Reads pype.node.seeds: a HOCON list of { endpoint, key } objects, or the one-string
/// form "IP:PORT@KEY,IP:PORT@KEY" that environment variables and --set can carry.</summary>
public static class SeedList
{
    public const int MaxSeeds = 16;

    public static IReadOnlyList<SeedEndpoint> Read(Config config, string key)
    {
        var value = config.GetValue(key);
        var seeds = new List<SeedEndpoint>();
        // Akka's HOCON reports an empty list as neither array nor string.
        if (value.IsArray() || value.Values is [Akka.Configuration.Hocon.HoconArray])
        {
            var items = value.GetArray();
            for (var i = 0; i < items.Count; i++)
            {
                var itemKey = $"{key}[{i}]";
                if (!items[i].IsObject()) throw new SettingsException(itemKey, "must be an object { endpoint = \"IP:PORT\", key = \"…\" }");
                var fields = items[i].GetObject().Items;
                foreach (var name in fields.Keys)
                    if (name is not ("endpoint" or "key")) throw new SettingsException($"{itemKey}.{name}", "unknown field; a seed has endpoint and key");
                seeds.Add(Parse(itemKey, Field(fields, "endpoint", itemKey), Field(fields, "key", itemKey)));
            }
        }
        else
        {
            var text = SettingsLoader.ReadRaw(config, key);
            var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < parts.Length; i++)
            {
                var at = parts[i].LastIndexOf('@');
                if (at <= 0) throw new SettingsException($"{key}[{i}]", $"'{parts[i]}' is not IP:PORT@KEY");
                seeds.Add(Parse($"{key}[{i}]", parts[i][..at], parts[i][(at + 1)..]));
            }
        }
        if (seeds.Count > MaxSeeds) throw new SettingsException(key, $"at most {MaxSeeds} seeds");
        return seeds;
    }

    private static string Field(Dictionary<string, Akka.Configuration.Hocon.HoconValue> fields, string name, string itemKey) =>
        fields.TryGetValue(name, out var v) && !v.IsObject() && !v.IsArray() && v.GetString() is { Length: > 0 } text
            ? text.Trim()
            : throw new SettingsException($"{itemKey}.{name}", "is missing");

    private static SeedEndpoint Parse(string itemKey, string endpointText, string keyText)
    {
        var endPoint = SettingsLoader.ParseEndPoint($"{itemKey}.endpoint", endpointText);
        if (endPoint.Port == 0) throw new SettingsException($"{itemKey}.endpoint", "needs a port other than 0");
        var key = ParseKey($"{itemKey}.key", keyText);
        if (!IdentityKeyPair.TryToX25519PublicKey(key, out _))
            throw new SettingsException($"{itemKey}.key", "is not a usable Ed25519 public key");
        return new SeedEndpoint(endPoint, PeerKey.Parse(key));
    }

    private static byte[] ParseKey(string key, string text)
    {
        if (text.Length == 64 && text.All(Uri.IsHexDigit)) return Convert.FromHexString(text);
        return PypeAddress.Parse(text) switch
        {
            AddressParseResult.Ok ok => ok.PublicKey,
            AddressParseResult.Failed failed => throw new SettingsException(key, $"not a seed public key (64 hex digits) or address: {failed.Message}"),
            _ => throw new SettingsException(key, "not a seed key"),
        };
    }
}
