namespace Pype.Cli.Console;

/// <summary>One line typed at the console, parsed.</summary>
public abstract record ConsoleCommand
{
    public sealed record Help : ConsoleCommand;
    public sealed record WhoAmI : ConsoleCommand;
    public sealed record Contacts : ConsoleCommand;
    public sealed record Add(string Address, string? Name) : ConsoleCommand;
    public sealed record Remove(string Name) : ConsoleCommand;
    public sealed record Rename(string Name, string NewName) : ConsoleCommand;
    public sealed record NewKeys : ConsoleCommand;
    public sealed record Status : ConsoleCommand;
    public sealed record Peers : ConsoleCommand;
    public sealed record Book(string? Query) : ConsoleCommand;
    public sealed record Calls : ConsoleCommand;
    public sealed record Stats : ConsoleCommand;
    public sealed record Call(string Target) : ConsoleCommand;
    public sealed record EndCall(string? CallId, Pype.Actors.Calls.CallAction Action, string Verb) : ConsoleCommand;
    public sealed record Connect(string Address) : ConsoleCommand;
    public sealed record Disconnect(string Peer) : ConsoleCommand;
    public sealed record Quit : ConsoleCommand;
    public sealed record Nothing : ConsoleCommand;
    public sealed record Invalid(string Message) : ConsoleCommand;

    public static readonly IReadOnlyList<(string Usage, string Description)> HelpLines =
    [
        ("help", "list the commands"),
        ("whoami", "show your address (text and QR code) and hash"),
        ("contacts", "list your contacts"),
        ("add <address> [name]", "add a contact by their Pype address"),
        ("remove <name>", "remove a contact (by name or hash prefix)"),
        ("rename <name> <new-name>", "rename a contact"),
        ("newkeys", "make a new identity; the old key file is archived, contacts stay"),
        ("status", "show the state of this process"),
        ("peers", "list direct sessions: hash, path kind, remote endpoint, RTT"),
        ("book [contact|address|hash]", "the replicated address book: how many records and yours, or one peer's record"),
        ("calls", "your calls now, and the call-list entries where you are the callee or the caller"),
        ("call <contact|address>", "call someone: directly through a seed introduction and through the call list at once"),
        ("answer [call-id]", "answer a ringing call"),
        ("reject [call-id]", "decline a ringing call"),
        ("hangup [call-id]", "end a call, or give up calling"),
        ("stats", "media of each call in progress: what was sent and received, losses, capture-to-screen latency"),
        ("connect <address>", "ask the seed to introduce a peer, then punch through both NATs"),
        ("disconnect <hash|address>", "end the direct session with a peer"),
        ("quit", "shut down (end of input does the same)"),
    ];

    public const int MaxLineLength = 4096;

    public static ConsoleCommand Parse(string line)
    {
        if (line.Length > MaxLineLength) return new Invalid($"the line is longer than {MaxLineLength} characters");
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0 || words[0].StartsWith('#')) return new Nothing();
        var name = words[0].ToLowerInvariant();
        var arguments = words[1..];
        return (name, arguments.Length) switch
        {
            ("help" or "?", 0) => new Help(),
            ("whoami", 0) => new WhoAmI(),
            ("contacts", 0) => new Contacts(),
            ("add", 1) => new Add(arguments[0], null),
            ("add", 2) => new Add(arguments[0], arguments[1]),
            ("remove", 1) => new Remove(arguments[0]),
            ("rename", 2) => new Rename(arguments[0], arguments[1]),
            ("newkeys", 0) => new NewKeys(),
            ("status", 0) => new Status(),
            ("peers", 0) => new Peers(),
            ("book", 0) => new Book(null),
            ("book", 1) => new Book(arguments[0]),
            ("calls", 0) => new Calls(),
            ("stats", 0) => new Stats(),
            ("call", 1) => new Call(arguments[0]),
            ("answer", <= 1) => new EndCall(arguments.FirstOrDefault(), Pype.Actors.Calls.CallAction.Answer, "answer"),
            ("reject", <= 1) => new EndCall(arguments.FirstOrDefault(), Pype.Actors.Calls.CallAction.Reject, "reject"),
            ("hangup", <= 1) => new EndCall(arguments.FirstOrDefault(), Pype.Actors.Calls.CallAction.HangUp, "hangup"),
            ("connect", 1) => new Connect(arguments[0]),
            ("disconnect", 1) => new Disconnect(arguments[0]),
            ("quit" or "exit", 0) => new Quit(),
            _ when HelpLines.FirstOrDefault(h => h.Usage.Split(' ')[0] == name) is { Usage: not null } known =>
                new Invalid($"usage: {known.Usage}"),
            _ => new Invalid($"unknown command '{words[0]}' (type 'help' for the list)"),
        };
    }
}
