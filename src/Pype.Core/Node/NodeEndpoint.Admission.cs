using Pype.Core.Connection;
using Pype.Core.Identity;

namespace Pype.Core.Node;

/// <summary>
/// How many links the node holds: introductions are made at others' request too, so a crowd of
/// strangers asking for this node could otherwise start a link each. Strangers' links are capped
/// below the total, the rest kept for contacts; a stranger's link never pushes out a contact's.
/// </summary>
public sealed partial class NodeEndpoint
{
    /// <summary>The most links (punching or connected) at once.</summary>
    public const int MaxLinks = 64;

    /// <summary>The most links with strangers (peers not in the contact list); the rest of <see cref="MaxLinks"/> is kept for contacts.</summary>
    public const int MaxStrangerLinks = 48;

    private HashSet<HashAddress> _contacts = [];

    public int LinkCount => _links.Count;

    /// <summary>The peers counted as contacts from now on; everyone else is a stranger.</summary>
    public void SetContacts(IEnumerable<HashAddress> contacts) => _contacts = [.. contacts];

    /// <summary>
    /// Whether a new link with <paramref name="peer"/> fits. A contact's, or one this node asked
    /// for (<paramref name="wanted"/>: its overlay, a call), may push out the oldest link with a
    /// stranger this node did not ask for (one still punching first, and none carrying call media);
    /// anyone else's is dropped and counted when its share is full.
    /// </summary>
    private bool AdmitLink(HashAddress peer, bool wanted)
    {
        var contact = _contacts.Contains(peer);
        var mayEvict = contact || wanted;
        if (!contact && _links.Keys.Count(linked => !_contacts.Contains(linked)) >= MaxStrangerLinks && !(mayEvict && EvictStrangerLink()))
        {
            Drops.Count(NodeEndpointDrop.StrangerLinksFull);
            return false;
        }
        if (_links.Count >= MaxLinks && !(mayEvict && EvictStrangerLink()))
        {
            Drops.Count(NodeEndpointDrop.LinkTableFull);
            return false;
        }
        return true;
    }

    private bool EvictStrangerLink()
    {
        var victim = _links
            .Where(pair => !pair.Value.Wanted && !_contacts.Contains(pair.Key) && !_mediaRouted.GetValueOrDefault(pair.Key))
            .OrderBy(pair => pair.Value.State == PeerLinkState.Connected)
            .ThenBy(pair => pair.Value.Since)
            .Select(pair => (HashAddress?)pair.Key)
            .FirstOrDefault();
        if (victim is not { } peer)
            return false;
        StopAndForget(peer);
        return true;
    }
}
