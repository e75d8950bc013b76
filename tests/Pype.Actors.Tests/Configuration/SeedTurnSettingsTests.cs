using Pype.Actors.Configuration;
using Xunit;

namespace Pype.Actors.Tests.Configuration;

public sealed class SeedTurnSettingsTests
{
    private static readonly Dictionary<string, string> NoOverrides = [];

    private static string? NoEnvironment(string _) => null;

    [Fact]
    public void No_servers_by_default_means_no_relays()
    {
        var (settings, _) = SettingsLoader.Load([], NoOverrides, NoEnvironment);
        Assert.Empty(settings.Seed.Turn.Servers);
        Assert.Null(settings.Seed.Turn.ToRelayOptions());
        Assert.Equal(TimeSpan.FromHours(1), settings.Seed.Turn.CredentialLifetime);
    }

    [Fact]
    public void Servers_come_as_one_string_and_the_secret_from_the_environment_stays_out_of_text()
    {
        var environment = new Dictionary<string, string> { ["PYPE_SEED_TURN_SECRET"] = "very-secret-value" };
        var (settings, _) = SettingsLoader.Load([],
            new Dictionary<string, string> { ["pype.seed.turn.servers"] = "198.51.100.66:3479, 203.0.113.66:3479" }, environment.GetValueOrDefault);

        Assert.Equal(["198.51.100.66:3479", "203.0.113.66:3479"], settings.Seed.Turn.Servers.Select(s => s.ToString()));
        var relay = settings.Seed.Turn.ToRelayOptions()!;
        Assert.Equal("very-secret-value", relay.SharedSecret);
        Assert.DoesNotContain("very-secret-value", settings.ToString());
        Assert.DoesNotContain("very-secret-value", relay.ToString());
    }

    [Fact]
    public void Servers_without_a_secret_stop_start_up_naming_the_secret()
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([],
            new Dictionary<string, string> { ["pype.seed.turn.servers"] = "198.51.100.66:3479" }, NoEnvironment));
        Assert.Equal("pype.seed.turn.secret", error.Key);
    }

    [Theory]
    [InlineData("pype.seed.turn.servers", "198.51.100.66")]
    [InlineData("pype.seed.turn.servers", "1.1.1.1:1,1.1.1.2:1,1.1.1.3:1,1.1.1.4:1,1.1.1.5:1")]
    [InlineData("pype.seed.turn.credential-lifetime", "1m")]
    public void Bad_turn_values_name_their_key(string key, string value)
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load([],
            new Dictionary<string, string> { [key] = value, ["pype.seed.turn.secret"] = "s" }, NoEnvironment));
        Assert.StartsWith(key, error.Key);
    }
}
