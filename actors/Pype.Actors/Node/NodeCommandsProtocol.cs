using Akka.Actor;
using Pype.Core.Identity;

namespace Pype.Actors.Node;

/// <summary>The node's parts a console command may concern, as the guardian holds them now: a key
/// rotation replaces the identity and the network actors, so every command carries the current set.</summary>
public sealed record NodeParts(
    IdentityKeyPair Identity,
    bool KeyEncrypted,
    IActorRef Transport,
    IActorRef Contacts,
    IActorRef Peers,
    IActorRef Gossip,
    IActorRef Calls,
    IActorRef? SeedLink,
    IActorRef? Relay);

/// <summary>A console command the guardian hands to the <see cref="NodeCommandsActor"/>, with the
/// parts it concerns; the answer goes to the command's original sender.</summary>
public sealed record CommandForParts(INodeCommand Command, NodeParts Parts);
