using System.Threading.Channels;
using Akka.Actor;
using Pype.Actors.Node;

namespace Pype.Cli.Demo;

/// <summary>Collects one node's events so the demo can wait for them in order.</summary>
internal sealed class DemoEvents
{
    private readonly Channel<NodeReply> events = Channel.CreateUnbounded<NodeReply>();

    public DemoEvents(ActorSystem system, IActorRef node, string name)
    {
        Name = name;
        node.Tell(new SubscribeNodeEvents(system.ActorOf(Props.Create(() => new Sink(events.Writer)), "demo-events")));
    }

    public string Name { get; }

    /// <summary>The next event of type <typeparamref name="T"/> that matches, skipping others; throws when it does not come in time.</summary>
    public async Task<T> WaitForAsync<T>(TimeSpan timeout, Func<T, bool>? where = null) where T : NodeReply
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await events.Reader.ReadAsync(cancel.Token);
                if (next is T match && (where is null || where(match))) return match;
                if (next is CallEnded ended && typeof(T) != typeof(CallEnded))
                    throw new DemoFailedException($"{Name}: the call ended ({ended.Reason}) while waiting for {typeof(T).Name}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new DemoFailedException($"{Name}: no {typeof(T).Name} within {timeout.TotalSeconds:0} s");
        }
    }

    private sealed class Sink : ReceiveActor
    {
        public Sink(ChannelWriter<NodeReply> writer) => Receive<NodeReply>(reply => writer.TryWrite(reply));
    }
}

internal sealed class DemoFailedException(string message) : Exception(message);
