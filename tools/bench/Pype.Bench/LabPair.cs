using System.Runtime.Versioning;
using Pype.Lab;

namespace Pype.Bench;

/// <summary>
/// Two nodes of one lab benchmark row: the NATs in front of them, whether the second node sits
/// behind the same NAT as the first (hostA2 instead of hostB), and the loss on the lab's internet.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed record LabPair(string Name, NatMode ModeA, NatMode ModeB, bool SameNat = false, int LossPercent = 0)
{
    /// <summary>The pairs that punch to a direct session, in the order the report lists them.</summary>
    public static IReadOnlyList<LabPair> Direct { get; } =
    [
        new("eim ↔ eim", NatMode.Eim, NatMode.Eim),
        new("fullcone ↔ sym", NatMode.FullCone, NatMode.Sym),
        new("none ↔ eim", NatMode.None, NatMode.Eim),
        new("same NAT (hostA ↔ hostA2)", NatMode.Eim, NatMode.Eim, SameNat: true),
        new("eim ↔ eim, 20% loss", NatMode.Eim, NatMode.Eim, LossPercent: 20),
    ];

    /// <summary>The pair that cannot punch: both sides map a new port per destination.</summary>
    public static LabPair SymToSym { get; } = new("sym ↔ sym", NatMode.Sym, NatMode.Sym);
}
