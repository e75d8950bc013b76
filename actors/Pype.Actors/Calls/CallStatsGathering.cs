using Akka.Actor;
using Akka.Event;
using Pype.Actors.Media;
using Pype.Actors.Node;

namespace Pype.Actors.Calls;

/// <summary>
/// Answers one <see cref="GetCallStats"/>: asks each flowing call's media session with a Tell and
/// answers the asker once every session replied or stopped, or after <see cref="Patience"/>, then
/// stops. The call manager thus never waits on a media session while calls need it. Started by
/// the call manager (which stops it on failure); it holds nothing worth a restart.
/// </summary>
internal sealed class CallStatsGathering : ReceiveActor
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    /// <summary>A flowing call as the call manager knows it when the statistics are asked for.</summary>
    public sealed record Flowing(UInt128 CallId, string Peer, TimeSpan Duration, IActorRef Session);

    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly IActorRef asker;
    private readonly IReadOnlyList<Flowing> calls;
    private readonly Dictionary<UInt128, Flowing> pending;
    private readonly Dictionary<UInt128, MediaStats> collected = [];

    public CallStatsGathering(IActorRef asker, IReadOnlyList<Flowing> calls)
    {
        this.asker = asker;
        this.calls = calls;
        pending = calls.ToDictionary(call => call.CallId);
        Receive<MediaStats>(stats =>
        {
            if (pending.Remove(stats.CallId)) collected[stats.CallId] = stats;
            FinishWhenComplete();
        });
        Receive<Terminated>(gone =>
        {
            foreach (var call in pending.Values.Where(call => call.Session.Equals(gone.ActorRef)).ToList()) pending.Remove(call.CallId);
            FinishWhenComplete();
        });
        Receive<ReceiveTimeout>(_ =>
        {
            foreach (var callId in pending.Keys) log.Warning("Media session of call {0:x32} did not answer for statistics", callId);
            pending.Clear();
            FinishWhenComplete();
        });
    }

    public static Props Props(IActorRef asker, IReadOnlyList<Flowing> calls) => Akka.Actor.Props.Create(() => new CallStatsGathering(asker, calls));

    protected override void PreStart()
    {
        foreach (var call in calls)
        {
            Context.Watch(call.Session);
            call.Session.Tell(GetMediaStats.Instance, Self);
        }
        Context.SetReceiveTimeout(Patience);
        FinishWhenComplete();
    }

    private void FinishWhenComplete()
    {
        if (pending.Count > 0) return;
        asker.Tell(new CallStatsReply(calls
            .Where(call => collected.ContainsKey(call.CallId))
            .Select(call => new CallStatsView(call.CallId.ToString("x32"), call.Peer, call.Duration, collected[call.CallId]))
            .ToList()));
        Context.Stop(Self);
    }
}
