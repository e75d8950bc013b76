using Akka.Actor;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Seed;

namespace Pype.Cli.Console;

/// <summary>
/// Reads one command per line and sends it to the node (or, in a seed-only process, the seed).
/// A bad line gets an error and the loop goes on; end of input means quit.
/// </summary>
public sealed class ConsoleSession(PypeHost host, TextReader input, IConsoleOutput output, Action? prompt)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Runs until quit, end of input or <paramref name="stop"/>; returns why it ended.</summary>
    public async Task<string> RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            prompt?.Invoke();
            // Console.In blocks inside ReadLine whatever token it is given, so the read runs on
            // its own thread and a signal simply stops waiting for it.
            var read = Task.Run(input.ReadLine, CancellationToken.None);
            var signalled = Task.Delay(Timeout.Infinite, stop);
            if (await Task.WhenAny(read, signalled) == signalled) return "signal";
            var line = await read;
            if (line is null) return "end of input";
            var command = ConsoleCommand.Parse(line);
            if (command is ConsoleCommand.Quit) return "quit";
            await ExecuteAsync(command);
        }
        return "signal";
    }

    private async Task ExecuteAsync(ConsoleCommand command)
    {
        switch (command)
        {
            case ConsoleCommand.Nothing:
                return;
            case ConsoleCommand.Invalid invalid:
                output.Show(new CommandFailed("", invalid.Message));
                return;
            case ConsoleCommand.Help:
                output.Show(new HelpView(ConsoleCommand.HelpLines));
                return;
        }
        if (host.Node is { } node)
        {
            INodeCommand message = command switch
            {
                ConsoleCommand.WhoAmI => new WhoAmI(),
                ConsoleCommand.Contacts => new ListContacts(),
                ConsoleCommand.Add add => new AddContact(add.Address, add.Name),
                ConsoleCommand.Remove remove => new RemoveContact(remove.Name),
                ConsoleCommand.Rename rename => new RenameContact(rename.Name, rename.NewName),
                ConsoleCommand.NewKeys => new RotateKeys(),
                ConsoleCommand.Status => new GetNodeStatus(),
                ConsoleCommand.Peers => new ListPeers(),
                ConsoleCommand.Book book => new ShowBook(book.Query),
                ConsoleCommand.Calls => new ListCalls(),
                ConsoleCommand.Stats => Pype.Actors.Calls.GetCallStats.Instance,
                ConsoleCommand.Call call => new PlaceCall(call.Target),
                ConsoleCommand.EndCall end => new EndCall(end.CallId, end.Action, end.Verb),
                ConsoleCommand.Connect connect => new ConnectToPeer(connect.Address),
                ConsoleCommand.Disconnect disconnect => new DisconnectPeer(disconnect.Peer),
                _ => throw new InvalidOperationException($"unhandled console command {command}"),
            };
            await AskAndShowAsync(node, message, Describe(command));
            if (command is ConsoleCommand.Status && host.Seed is { } seedBeside)
                await AskAndShowAsync(seedBeside, new GetSeedStatus(), "status");
            return;
        }
        if (host.Seed is { } seed)
        {
            object? message = command switch
            {
                ConsoleCommand.WhoAmI => new SeedWhoAmI(),
                ConsoleCommand.Status => new GetSeedStatus(),
                _ => null,
            };
            if (message is null) output.Show(new CommandFailed(Describe(command), "a seed-only process has no contacts or identity of its own to change"));
            else await AskAndShowAsync(seed, message, Describe(command));
        }
    }

    private async Task AskAndShowAsync(IActorRef target, object message, string commandName)
    {
        try
        {
            output.Show(await target.Ask<object>(message, CommandTimeout));
        }
        catch (AskTimeoutException)
        {
            output.Show(new CommandFailed(commandName, "no answer in time"));
        }
    }

    private static string Describe(ConsoleCommand command) => command switch
    {
        ConsoleCommand.EndCall end => end.Verb,
        _ => command.GetType().Name.ToLowerInvariant(),
    };
}
