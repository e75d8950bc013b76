using System.Text.Json;
using Pype.Lab;
using Xunit;

namespace Pype.Integration.Tests.Network;

/// <summary>Several seeds in a node's configuration are tried in order.</summary>
[Collection(NetworkLabCollection.Name)]
public sealed class SeedFailoverTests
{
    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public void A_node_whose_first_seed_is_silent_registers_at_the_next_one()
    {
        using var network = LabNetwork.Start(NatMode.Eim, NatMode.Eim);
        var silentSeed = Pype.Core.Identity.IdentityKeyPair.Generate();
        var silent = $"{NatLab.SeedSecondAddress}:{LabNetwork.SeedPort + 1}@{Convert.ToHexStringLower(silentSeed.PublicKey.Span)}";
        var live = $"{NatLab.SeedAddress}:{LabNetwork.SeedPort}@{network.SeedKey}";
        // StartNode returns once the node registered somewhere; only the live seed can answer.
        var node = network.StartNode(network.Lab.HostA, 0, "--set", $"pype.node.seeds={silent},{live}");
        node.Send("status");
        var status = node.WaitFor("status");
        Assert.Equal($"{NatLab.SeedAddress}:{LabNetwork.SeedPort}", Str(status, "seed"));
        Assert.True(status.GetProperty("registered_at_seed").GetBoolean());
    }
}
