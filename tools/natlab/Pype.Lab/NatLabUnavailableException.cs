namespace Pype.Lab;

/// <summary>
/// The NAT lab cannot run on this machine (not root, or ip / nft missing). Thrown instead of
/// letting a lab test pass silently: a CI job that should run the lab must fail loudly.
/// </summary>
public sealed class NatLabUnavailableException(string reason)
    : Exception($"The NAT lab cannot run here: {reason}. It needs Linux, root, iproute2 (ip) and nftables (nft); run the lab tests as root or exclude them with --filter \"FullyQualifiedName!~NatLab\".");
