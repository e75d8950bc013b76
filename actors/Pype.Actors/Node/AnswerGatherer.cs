using Akka.Actor;

namespace Pype.Actors.Node;

/// <summary>
/// One console request in flight. Its parent sends the request's questions with this actor as
/// their sender; it collects the answers, and once all have come (or none for the timeout) hands
/// what it has to the completion, which replies to the asker, and stops. A part that does not
/// answer therefore costs this request its timeout and nothing else.
/// Supervision: it owns nothing; if the completion throws, its parent stops it.
/// </summary>
public sealed class AnswerGatherer : ReceiveActor
{
    private readonly List<object> answers = [];

    public AnswerGatherer(int expected, TimeSpan timeout, Action<IReadOnlyList<object>> complete)
    {
        Context.SetReceiveTimeout(timeout);
        Receive<ReceiveTimeout>(_ => Finish());
        ReceiveAny(answer =>
        {
            answers.Add(answer);
            if (answers.Count >= expected) Finish();
        });

        void Finish()
        {
            Context.SetReceiveTimeout(null);
            complete(answers);
            Context.Stop(Self);
        }
    }

    public static Props Props(int expected, TimeSpan timeout, Action<IReadOnlyList<object>> complete) =>
        Akka.Actor.Props.Create(() => new AnswerGatherer(expected, timeout, complete));
}
