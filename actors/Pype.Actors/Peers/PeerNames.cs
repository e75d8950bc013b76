using Pype.Core.Connection;
using Pype.Core.Session;

namespace Pype.Actors.Peers;

/// <summary>How link states and path kinds are named in node events, the console and JSON.</summary>
public static class PeerNames
{
    public static string State(PeerLinkState state) => state switch
    {
        PeerLinkState.NoDirectPath => "no-direct-path",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static string Kind(CandidateKind kind) => kind switch
    {
        CandidateKind.Host => "host",
        CandidateKind.ServerReflexive => "server-reflexive",
        CandidateKind.PeerReflexive => "peer-reflexive",
        CandidateKind.Relayed => "relayed",
        _ => kind.ToString(),
    };
}
