namespace Pype.Lab;

/// <summary>The behaviour of one NAT box of the lab (see tools/natlab/README.md).</summary>
public enum NatMode
{
    /// <summary>No translation: the LAN hosts are directly on the public side.</summary>
    None,

    /// <summary>Endpoint-independent mapping, address-and-port-dependent filtering (home router).</summary>
    Eim,

    /// <summary>Address-and-port-dependent mapping: a new external port per destination.</summary>
    Sym,

    /// <summary>Symmetric with fully random external ports.</summary>
    SymFull,

    /// <summary>Endpoint-independent mapping and filtering: anyone reaches a mapped port.</summary>
    FullCone,
}

/// <summary>Which NAT of the lab: A (hostA, hostA2) or B (hostB).</summary>
public enum NatSide
{
    A,
    B,
}
