using Pype.Core.Calls;
using Pype.Core.Identity;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Calls;

/// <summary>
/// Call desks over a simulated network in virtual time: the signals each desk asks to send reach
/// their peer after a fixed latency unless the link is cut; desks are woken at their deadlines.
/// Every command and event is recorded per desk, in order.
/// </summary>
internal sealed class DeskNetwork
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<HashAddress, int> _index = [];
    private readonly HashSet<(int From, int To)> _cut = [];
    private readonly PriorityQueue<(int From, int To, byte[] Bytes), (DateTimeOffset At, long Order)> _inFlight = new();
    private long _order;

    public DeskNetwork(int nodeCount = 2, CallDeskOptions? options = null, int seed = 1)
    {
        Now = Start;
        for (var i = 0; i < nodeCount; i++)
        {
            var key = Enumerable.Repeat((byte)(0x21 + i), IdentityKeyPair.PublicKeyLength).ToArray();
            Keys.Add(key);
            _index.Add(HashAddress.FromPublicKey(key), i);
            Desks.Add(new CallDesk(HashAddress.FromPublicKey(key), new SeededRandomSource(seed * 31 + i), options));
            Commands.Add([]);
            Events.Add([]);
        }
    }

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(30);

    public List<CallDesk> Desks { get; } = [];

    public List<byte[]> Keys { get; } = [];

    public List<List<CallDeskCommand>> Commands { get; } = [];

    public List<List<CallDeskEvent>> Events { get; } = [];

    public DateTimeOffset Now { get; private set; }

    public HashAddress Hash(int node) => Desks[node].Book.Self;

    public IEnumerable<T> CommandsOf<T>(int node) where T : CallDeskCommand => Commands[node].OfType<T>();

    public IEnumerable<T> EventsOf<T>(int node) where T : CallDeskEvent => Events[node].OfType<T>();

    public void Cut(int from, int to) => _cut.Add((from, to));

    public UInt128 Call(int from, int to)
    {
        var placed = Do(from, (desk, now) => desk.Place(now, Keys[to]));
        Assert.True(placed.IsDone, placed.Refusal);
        return placed.CallId;
    }

    /// <summary>Runs an operation on one desk at the current time, then collects what it produced.</summary>
    public T Do<T>(int node, Func<CallDesk, DateTimeOffset, T> operation)
    {
        var result = operation(Desks[node], Now);
        Drain();
        return result;
    }

    public void Do(int node, Action<CallDesk, DateTimeOffset> operation) => Do(node, (desk, now) =>
    {
        operation(desk, now);
        return 0;
    });

    public void RunFor(TimeSpan span)
    {
        var end = Now + span;
        Drain();
        while (NextTime() is { } at && at <= end)
        {
            Now = at > Now ? at : Now;
            while (_inFlight.TryPeek(out var message, out var key) && key.At <= Now)
            {
                _inFlight.Dequeue();
                Desks[message.To].HandleSignal(Now, Hash(message.From), Keys[message.From], message.Bytes);
            }

            foreach (var desk in Desks)
            {
                if (desk.NextDeadline is { } deadline && deadline <= Now)
                {
                    desk.HandleTimeout(Now);
                }
            }

            Drain();
        }

        Now = end;
    }

    private DateTimeOffset? NextTime()
    {
        DateTimeOffset? next = _inFlight.TryPeek(out _, out var key) ? key.At : null;
        foreach (var desk in Desks)
        {
            if (desk.NextDeadline is { } deadline && (next is null || deadline < next))
            {
                next = deadline;
            }
        }

        return next;
    }

    private void Drain()
    {
        for (var from = 0; from < Desks.Count; from++)
        {
            while (Desks[from].PollCommand() is { } command)
            {
                Commands[from].Add(command);
                if (command is CallDeskCommand.SendSignal send && _index.TryGetValue(send.Peer, out var to) && !_cut.Contains((from, to)))
                {
                    _inFlight.Enqueue((from, to, send.Bytes), (Now + Latency, _order++));
                }
            }

            while (Desks[from].PollEvent() is { } deskEvent)
            {
                Events[from].Add(deskEvent);
            }
        }
    }
}
