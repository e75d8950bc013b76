using System.Net;

namespace Pype.Core.Turn;

/// <summary>Back-off of a <see cref="TurnServerRotation"/>.</summary>
public sealed record TurnRotationOptions
{
    public static TurnRotationOptions Default { get; } = new();

    /// <summary>The wait after every granted server has failed once in a row; it doubles with each further round.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait never grows beyond this, so a server back from an outage is found within it.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Least time between two requests for a fresh grant once every server refused us (<see cref="TurnServerRotation.FreshGrantWantedAt"/>).</summary>
    public TimeSpan FreshGrantSpacing { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Where and when the next allocation attempt goes.</summary>
public sealed record TurnAttempt(IPEndPoint Server, DateTimeOffset At);

/// <summary>
/// Which of the granted TURN servers the node allocates on, and when it tries again. The first
/// granted server is preferred; when an allocation attempt fails the next server is tried at once,
/// and only once every server has failed in a row does the rotation wait, with a back-off that
/// doubles up to <see cref="TurnRotationOptions.MaxBackoff"/>. A server that refused us for good
/// (credentials, forbidden, a redirect we do not follow) is skipped until the next grant. Sans-IO:
/// the owner passes the time and acts on the <see cref="TurnAttempt"/> it gets back.
/// </summary>
public sealed class TurnServerRotation(TurnRotationOptions? options = null)
{
    private readonly TurnRotationOptions _options = options ?? TurnRotationOptions.Default;
    private readonly HashSet<IPEndPoint> _refused = [];
    private IReadOnlyList<IPEndPoint> _servers = [];
    private int _index;
    private int _failuresInARow;
    private DateTimeOffset? _lastFreshGrantRequest;

    public IReadOnlyList<IPEndPoint> Servers => _servers;

    /// <summary>The server the current (or next) attempt is on; null with no usable server.</summary>
    public IPEndPoint? Current { get; private set; }

    /// <summary>Attempts that failed since the last allocation succeeded.</summary>
    public int FailuresInARow => _failuresInARow;

    /// <summary>
    /// A grant from the seed: its servers in order of preference. The server in use stays in use
    /// when it is still granted; otherwise the first granted server is next. Refusals are
    /// forgotten, since a grant carries fresh credentials. True when <see cref="Current"/> changed.
    /// </summary>
    public bool Grant(IReadOnlyList<IPEndPoint> servers)
    {
        var previous = Current;
        _servers = servers.Select(Normalized).Distinct().ToList();
        _refused.Clear();
        var kept = previous is null ? -1 : IndexOf(previous);
        if (kept < 0)
        {
            _index = 0;
            _failuresInARow = 0;
        }
        else
            _index = kept;
        Current = _servers.Count == 0 ? null : _servers[_index];
        return !Equals(previous, Current);
    }

    /// <summary>
    /// When every granted server refused our credentials (a 401 after the operator changed the TURN
    /// secret, say), when to ask the seed for a fresh grant: at once the first time, then at most
    /// once per <see cref="TurnRotationOptions.FreshGrantSpacing"/>, so a seed still handing out
    /// credentials the servers refuse is not asked in a loop. Null while a granted server is usable.
    /// Without asking, the next grant came only with the seed session's next registration.
    /// </summary>
    public DateTimeOffset? FreshGrantWantedAt =>
        Current is null && _servers.Count > 0
            ? _lastFreshGrantRequest is { } last ? last + _options.FreshGrantSpacing : DateTimeOffset.MinValue
            : null;

    /// <summary>The owner asked the seed for a fresh grant at <paramref name="now"/>.</summary>
    public void FreshGrantRequested(DateTimeOffset now) => _lastFreshGrantRequest = now;

    /// <summary>An allocation succeeded on <see cref="Current"/>: the back-off starts over.</summary>
    public void Allocated() => _failuresInARow = 0;

    /// <summary>
    /// The allocation attempt on <see cref="Current"/> failed (or an allocation was given up):
    /// where and when to try next, or null when every granted server refused us for good.
    /// </summary>
    public TurnAttempt? Failed(DateTimeOffset now, TurnFailure failure)
    {
        if (Current is null)
            return null;
        // A refusal is not a failure in a row: the round goes on without that server.
        var refused = !failure.Retryable;
        if (refused)
            _refused.Add(Current);
        else
            _failuresInARow++;
        var usable = _servers.Count(server => !_refused.Contains(server));
        if (usable == 0)
        {
            Current = null;
            return null;
        }
        do
            _index = (_index + 1) % _servers.Count;
        while (_refused.Contains(_servers[_index]));
        Current = _servers[_index];
        return new TurnAttempt(Current, refused ? now : now + Backoff(usable));
    }

    /// <summary>Nothing while servers of this round are still untried; then the doubling wait.</summary>
    private TimeSpan Backoff(int usable)
    {
        if (_failuresInARow == 0 || _failuresInARow % usable != 0)
            return TimeSpan.Zero;
        var rounds = Math.Min(_failuresInARow / usable, 16);
        var wait = _options.InitialBackoff * Math.Pow(2, rounds - 1);
        return wait < _options.MaxBackoff ? wait : _options.MaxBackoff;
    }

    private int IndexOf(IPEndPoint server)
    {
        for (var i = 0; i < _servers.Count; i++)
        {
            if (_servers[i].Equals(server))
                return i;
        }
        return -1;
    }

    private static IPEndPoint Normalized(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
