using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Tests.Support;

namespace Pype.Core.Tests.Calls;

/// <summary>
/// Call books over a simulated network in virtual time: each message is lost with a given
/// probability, duplicated with another, and delivered after a random latency; books are woken
/// at their deadlines. A link can be cut one way. The same seed gives the same run.
/// </summary>
internal sealed class CallNetwork
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Random _random;
    private readonly Dictionary<HashAddress, int> _index = [];
    private readonly HashSet<(int From, int To)> _cut = [];
    private readonly PriorityQueue<(int From, int To, byte[] Bytes), (DateTimeOffset At, long Order)> _inFlight = new();
    private long _order;

    public CallNetwork(int nodeCount = 2, int seed = 1, double loss = 0, double duplicate = 0, CallOptions? options = null)
    {
        _random = new Random(seed);
        Loss = loss;
        Duplicate = duplicate;
        Now = Start;
        for (var i = 0; i < nodeCount; i++)
        {
            var hash = HashAddress.FromBytes(Enumerable.Repeat((byte)(0x10 * (i + 1)), HashAddress.Length).ToArray());
            _index.Add(hash, i);
            Books.Add(new CallBook(hash, new SeededRandomSource(seed * 31 + i), options));
            Events.Add([]);
            Sent.Add([]);
        }
    }

    public double Loss { get; set; }

    public double Duplicate { get; set; }

    public TimeSpan MinLatency { get; set; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(60);

    public List<CallBook> Books { get; } = [];

    /// <summary>Every event each book raised, in order.</summary>
    public List<List<CallEvent>> Events { get; } = [];

    /// <summary>Every message each book sent, with the time, lost or not.</summary>
    public List<List<(DateTimeOffset At, int To, byte[] Bytes)>> Sent { get; } = [];

    public DateTimeOffset Now { get; private set; }

    public HashAddress Hash(int node) => Books[node].Self;

    public void Cut(int from, int to) => _cut.Add((from, to));

    public void Heal(int from, int to) => _cut.Remove((from, to));

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
        for (var steps = 0; ; steps++)
        {
            var next = NextTime();
            if (next is not { } at || at > end)
            {
                break;
            }

            if (steps > 1_000_000)
            {
                throw new InvalidOperationException($"the books keep asking to be woken at {at:O}");
            }

            Now = at > Now ? at : Now;
            while (_inFlight.TryPeek(out var message, out var key) && key.At <= Now)
            {
                _inFlight.Dequeue();
                Books[message.To].Handle(Now, Hash(message.From), message.Bytes);
            }

            foreach (var book in Books)
            {
                if (book.NextDeadline is { } deadline && deadline <= Now)
                {
                    book.HandleTimeout(Now);
                }
            }

            Drain();
        }

        Now = end;
    }

    private DateTimeOffset? NextTime()
    {
        DateTimeOffset? next = _inFlight.TryPeek(out _, out var key) ? key.At : null;
        foreach (var book in Books)
        {
            if (book.NextDeadline is { } deadline && (next is null || deadline < next))
            {
                next = deadline;
            }
        }

        return next;
    }

    private void Drain()
    {
        for (var from = 0; from < Books.Count; from++)
        {
            while (Books[from].PollSend() is { } message)
            {
                var to = _index[message.Peer];
                Sent[from].Add((Now, to, message.Bytes));
                if (_cut.Contains((from, to)))
                {
                    continue;
                }

                var copies = _random.NextDouble() < Duplicate ? 2 : 1;
                for (var copy = 0; copy < copies; copy++)
                {
                    if (_random.NextDouble() >= Loss)
                    {
                        var latency = MinLatency + (MaxLatency - MinLatency) * _random.NextDouble();
                        _inFlight.Enqueue((from, to, message.Bytes), (Now + latency, _order++));
                    }
                }
            }

            while (Books[from].PollEvent() is { } callEvent)
            {
                Events[from].Add(callEvent);
            }
        }
    }
}
