using Akka.Actor;

namespace Pype.Actors.Node;

/// <summary>
/// Hands the node's unsolicited events (network and call events, which its actors send to the
/// guardian) to every subscriber, such as the console, and replays the recent ones to a late
/// subscriber: the network starts with the node, so a console that subscribes a moment later
/// first hears what it missed.
/// Supervision: it owns no resource; a restart would forget the subscribers and the replay, so
/// it does nothing that throws.
/// </summary>
public sealed class NodeEventsActor : ReceiveActor
{
    private const int RecentEventsKept = 64;
    private readonly HashSet<IActorRef> subscribers = [];
    private readonly Queue<NodeReply> recentEvents = new();

    public NodeEventsActor()
    {
        Receive<SubscribeNodeEvents>(subscribe =>
        {
            foreach (var missed in recentEvents) subscribe.Subscriber.Tell(missed);
            subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
        });
        Receive<Terminated>(terminated => subscribers.Remove(terminated.ActorRef));
        Receive<NodeReply>(nodeEvent =>
        {
            // Per-second statistics are for whoever listens now; replaying them would push out
            // the events a late subscriber actually needs.
            if (nodeEvent is not CallStatsTick)
            {
                recentEvents.Enqueue(nodeEvent);
                if (recentEvents.Count > RecentEventsKept) recentEvents.Dequeue();
            }
            foreach (var subscriber in subscribers) subscriber.Tell(nodeEvent);
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new NodeEventsActor());
}
