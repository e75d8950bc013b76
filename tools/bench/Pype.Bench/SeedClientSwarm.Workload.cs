using Pype.Core.Seed;

namespace Pype.Bench;

/// <summary>
/// What the swarm does and counts: starting clients at a steady rate, and keeping a window of
/// connect requests in flight between random registered clients. Everything here runs on the
/// driver thread; the main thread only posts commands and reads a <see cref="Snapshot"/>.
/// </summary>
internal sealed partial class SeedClientSwarm
{
    /// <summary>A connect request unanswered this long is written off (its datagram or its answer was lost).</summary>
    private static readonly TimeSpan ConnectGiveUp = TimeSpan.FromSeconds(2);

    private readonly List<int> _registered = [];
    private readonly Dictionary<(int Member, uint Request), DateTimeOffset> _outstanding = [];
    private readonly List<double> _connectLatenciesMs = [];
    private readonly Random _pick = new(7);
    private readonly Dictionary<SeedLossReason, long> _lossReasons = [];

    private int _started;
    private int _rampTarget;
    private double _rampPerSecond;
    private DateTimeOffset _rampFrom;
    private DateTimeOffset? _lastFirstRegistrationAt;
    private bool _introducing;
    private bool _crossSeedOnly;
    private int _window;
    private DateTimeOffset _nextSweep;
    private long _seedsLost, _introduced, _offline, _notRegistered, _timedOut, _introductionsReceived;

    private long Unroutable { get; set; }

    private long DatagramsSent { get; set; }

    private long SendErrors { get; set; }

    public sealed record Counters(
        int Started, int Registered, long SeedsLost, long Introduced, long Offline, long NotRegistered, long TimedOut,
        long IntroductionsReceived, long Unroutable, long SendErrors, long DatagramsSent,
        DateTimeOffset? LastFirstRegistrationAt, IReadOnlyList<int> RegisteredPerSeed, IReadOnlyDictionary<SeedLossReason, long> LossReasons);

    /// <summary>Starts clients (in order, spread over the addresses) until <paramref name="count"/> run, at most <paramref name="perSecond"/> a second.</summary>
    public void Ramp(int count, double perSecond) => Post(() =>
    {
        _rampTarget = Math.Min(count, _members.Count);
        _rampPerSecond = perSecond;
        _rampFrom = DateTimeOffset.UtcNow;
    });

    /// <summary>
    /// Keeps <paramref name="window"/> connect requests in flight, each from a random registered
    /// client to another (at a different seed when <paramref name="crossSeedOnly"/>); the next is
    /// sent as soon as an answer comes back, so the rate is what the seeds sustain.
    /// </summary>
    public void StartIntroductions(int window, bool crossSeedOnly) => Post(() =>
    {
        _window = window;
        _crossSeedOnly = crossSeedOnly;
        _connectLatenciesMs.Clear();
        _introducing = true;
    });

    public void StopIntroductions() => Post(() => _introducing = false);

    /// <summary>Request → result times (ms) since the last <see cref="StartIntroductions"/>, sorted.</summary>
    public double[] ConnectLatencies() => OnDriver(() => _connectLatenciesMs.Order().ToArray());

    public Counters Snapshot() => OnDriver(() =>
    {
        var perSeed = new int[_seeds.Count];
        foreach (var member in _registered) perSeed[_members[member].Seed]++;
        return new Counters(_started, _registered.Count, _seedsLost, _introduced, _offline, _notRegistered, _timedOut,
            _introductionsReceived, Unroutable, SendErrors, DatagramsSent, _lastFirstRegistrationAt, perSeed,
            new Dictionary<SeedLossReason, long>(_lossReasons));
    });

    private T OnDriver<T>(Func<T> read)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => answer.SetResult(read()));
        if (!answer.Task.Wait(TimeSpan.FromSeconds(30)))
            throw new TimeoutException("the swarm's driver thread did not answer within 30 s");
        return answer.Task.Result;
    }

    private void RunWorkload(DateTimeOffset now)
    {
        if (_started < _rampTarget)
        {
            var due = Math.Min(_rampTarget, (int)((now - _rampFrom).TotalSeconds * _rampPerSecond) + 1);
            for (; _started < due; _started++)
            {
                _members[_started].Client = NewClient(_members[_started], now);
                Pump(_started, now);
            }
        }
        if (now >= _nextSweep)
        {
            _nextSweep = now + TimeSpan.FromMilliseconds(500);
            foreach (var (key, sentAt) in _outstanding.Where(o => now - o.Value > ConnectGiveUp).ToList())
            {
                _outstanding.Remove(key);
                _timedOut++;
            }
        }
        if (!_introducing || _registered.Count < 2)
            return;
        for (var tries = 0; _outstanding.Count < _window && tries < _window; tries++)
        {
            var asker = _registered[_pick.Next(_registered.Count)];
            var target = _registered[_pick.Next(_registered.Count)];
            if (asker == target || (_crossSeedOnly && _members[asker].Seed == _members[target].Seed))
                continue;
            if (_members[asker].Client!.RequestConnect(_members[target].Key) is not { } request)
                continue;
            _outstanding[(asker, request)] = now;
            Pump(asker, now);
        }
    }

    private void OnEvent(int member, DateTimeOffset now, SeedClientEvent e)
    {
        var m = _members[member];
        switch (e)
        {
            case SeedRegisteredEvent when !m.Registered:
                m.Registered = true;
                m.RegisteredSlot = _registered.Count;
                _registered.Add(member);
                _lastFirstRegistrationAt = now;
                break;
            case SeedLostEvent lost:
                _seedsLost++;
                _lossReasons[lost.Reason] = _lossReasons.GetValueOrDefault(lost.Reason) + 1;
                if (m.Registered) Unregister(m);
                break;
            case ConnectResultReceived result:
                if (_outstanding.Remove((member, result.RequestId), out var sentAt))
                    _connectLatenciesMs.Add((now - sentAt).TotalMilliseconds);
                switch (result.Status)
                {
                    case SeedConnectStatus.Introduced: _introduced++; break;
                    case SeedConnectStatus.Offline: _offline++; break;
                    default: _notRegistered++; break;
                }
                break;
            case IntroductionReceived:
                _introductionsReceived++;
                break;
        }
    }

    /// <summary>Swap-removes from the registered list so picking a random registered client stays O(1).</summary>
    private void Unregister(Member m)
    {
        m.Registered = false;
        var last = _registered[^1];
        _registered[m.RegisteredSlot] = last;
        _members[last].RegisteredSlot = m.RegisteredSlot;
        _registered.RemoveAt(_registered.Count - 1);
        m.RegisteredSlot = -1;
    }
}
