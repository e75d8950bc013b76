using Pype.Core.Connection;
using Pype.Core.Session;
using Pype.Core.Tests.Connection.Simulation;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>
/// Two peers behind symmetric NATs start punching before either has a relay (an overlay forms
/// faster than allocations complete). When one side's relay appears, the seed introduces them
/// again, and the running punch takes the relayed candidate into its rounds.
/// </summary>
public sealed class LateRelayTests
{
    private static readonly TimeSpan RelayAppears = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void A_relay_that_appears_while_punching_is_probed_at_the_relayed_delay_and_carries_the_link()
    {
        var lab = LinkScenario.Between(Placement.Symmetric, Placement.Symmetric).Introduce();
        lab.RunFor(RelayAppears);
        lab.Bob.AllocateRelay("198.51.100.66:49161");

        lab.Reintroduce();
        lab.RunUntil(() => lab.BothConnected, PeerLinkOptions.DefaultPunchTimeout);

        Assert.True(lab.BothConnected);
        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        Assert.Equal(CandidateKind.Relayed, lab.Bob.RequiredLink.ActivePathKind);
        var connected = Assert.Single(lab.Alice.Events.Select(e => e.Event).OfType<PeerLinkEvent.Connected>());
        Assert.InRange(connected.Elapsed, PeerLinkOptions.DefaultRelayedCandidateDelay, TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public void A_relay_that_appears_after_the_relayed_delay_is_probed_at_once()
    {
        var lab = LinkScenario.Between(Placement.Symmetric, Placement.Symmetric).Introduce();
        lab.RunFor(TimeSpan.FromSeconds(2));
        lab.Bob.AllocateRelay("198.51.100.66:49161");
        var reintroducedAt = lab.Now;

        lab.Reintroduce();
        lab.RunUntil(() => lab.BothConnected, TimeSpan.FromSeconds(1));

        Assert.True(lab.BothConnected, "not connected within a second of the relayed candidate");
        Assert.Equal(CandidateKind.Relayed, lab.Alice.RequiredLink.ActivePathKind);
        Assert.True(lab.Now - reintroducedAt < TimeSpan.FromMilliseconds(500), $"{(lab.Now - reintroducedAt).TotalMilliseconds} ms after the introduction");
    }

    [Fact]
    public void Without_the_new_introduction_the_same_pair_finds_no_path()
    {
        var lab = LinkScenario.Between(Placement.Symmetric, Placement.Symmetric).Introduce();
        lab.RunFor(RelayAppears);
        lab.Bob.AllocateRelay("198.51.100.66:49161");

        lab.RunFor(PeerLinkOptions.DefaultPunchTimeout);

        Assert.Equal(PeerLinkState.NoDirectPath, lab.Alice.RequiredLink.State);
    }
}
