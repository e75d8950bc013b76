using System.Net;
using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Calls;

/// <summary>
/// Call books, each on a public host of the one <see cref="VirtualNetwork"/>, in virtual time:
/// each message is lost with a given probability, duplicated with another, and delivered after
/// 20–60 ms; books are woken at their deadlines. A path can be cut one way. The same seed gives
/// the same run.
/// </summary>
internal sealed class CallScenario
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<HashAddress, int> _index = [];
    private readonly List<SimulatedHost> _hosts = [];

    public CallScenario(int nodeCount = 2, int seed = 1, double loss = 0, double duplicate = 0, CallOptions? options = null)
    {
        Network = new VirtualNetwork(seed, Start)
        {
            Internet = new LinkConditions
            {
                Delay = TimeSpan.FromMilliseconds(20),
                Jitter = TimeSpan.FromMilliseconds(40),
                Loss = loss,
                Duplicate = duplicate,
            },
        };
        for (var i = 0; i < nodeCount; i++)
        {
            var hash = HashAddress.FromBytes(Enumerable.Repeat((byte)(0x10 * (i + 1)), HashAddress.Length).ToArray());
            _index.Add(hash, i);
            Books.Add(new CallBook(hash, new SeededRandomSource(seed * 31 + i), options));
            Events.Add([]);
            Sent.Add([]);
            var host = Network.AddHost($"book{i}", new IPEndPoint(new IPAddress([198, 18, 0, (byte)(i + 1)]), 9000));
            _hosts.Add(host);
            var node = i;
            host.Receive = (now, source, bytes) =>
            {
                Books[node].Handle(now, Hash(_hosts.FindIndex(h => h.EndPoint.Equals(source))), bytes);
                Drain(node);
            };
            Network.Attach(new BookAgent(this, node));
        }
    }

    public VirtualNetwork Network { get; }

    public List<CallBook> Books { get; } = [];

    /// <summary>Every event each book raised, in order.</summary>
    public List<List<CallEvent>> Events { get; } = [];

    /// <summary>Every message each book sent, with the time, lost or not.</summary>
    public List<List<(DateTimeOffset At, int To, byte[] Bytes)>> Sent { get; } = [];

    public DateTimeOffset Now => Network.Now;

    public HashAddress Hash(int node) => Books[node].Self;

    public void Cut(int from, int to) => Network.Cut(_hosts[from].EndPoint.Address, _hosts[to].EndPoint.Address);

    public void Heal(int from, int to) => Network.Heal(_hosts[from].EndPoint.Address, _hosts[to].EndPoint.Address);

    public IEnumerable<T> EventsOf<T>(int node) where T : CallEvent => Events[node].OfType<T>();

    /// <summary>Hands <paramref name="bytes"/> to <paramref name="to"/> now, as if <paramref name="from"/> had sent them.</summary>
    public void Inject(int from, int to, byte[] bytes)
    {
        Books[to].Handle(Now, Hash(from), bytes);
        Drain();
    }

    /// <summary>Runs an operation on one book at the current time, then drains what it produced.</summary>
    public T Do<T>(int node, Func<CallBook, DateTimeOffset, T> operation)
    {
        var result = operation(Books[node], Now);
        Drain();
        return result;
    }

    public void RunFor(TimeSpan span) => RunUntil(Now + span);

    public void RunUntil(DateTimeOffset end)
    {
        Drain();
        Network.RunUntil(end);
    }

    private void Drain()
    {
        for (var node = 0; node < Books.Count; node++)
            Drain(node);
    }

    private void Drain(int from)
    {
        while (Books[from].PollSend() is { } message)
        {
            var to = _index[message.Peer];
            Sent[from].Add((Now, to, message.Bytes));
            Network.Send(_hosts[from], _hosts[to].EndPoint, message.Bytes);
        }
        while (Books[from].PollEvent() is { } callEvent)
            Events[from].Add(callEvent);
    }

    private sealed class BookAgent(CallScenario scenario, int node) : ISimulatedAgent
    {
        public DateTimeOffset? NextDeadline => scenario.Books[node].NextDeadline;

        public void HandleTimeout(DateTimeOffset now)
        {
            scenario.Books[node].HandleTimeout(now);
            scenario.Drain(node);
        }
    }
}
