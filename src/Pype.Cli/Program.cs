using System.Diagnostics;
using Akka.Actor;
using System.Reflection;
using System.Runtime.InteropServices;
using Pype.Actors.Configuration;
using Pype.Actors.Hosting;
using Pype.Actors.Node;
using Pype.Actors.Storage;
using Pype.Cli;
using Pype.Cli.Console;

return await PypeProgram.RunAsync(args);

internal static class PypeProgram
{
    private const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitIdentity = 3, ExitDatabase = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        Invocation invocation;
        try { invocation = CommandLine.Parse(args); }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"pype: {ex.Message}\n\n{CommandLine.Usage}");
            return ExitUsage;
        }
        switch (invocation.Verb)
        {
            case Verb.Help:
                Console.WriteLine(CommandLine.Usage);
                return ExitOk;
            case Verb.Version:
                Console.WriteLine($"pype {Assembly.GetExecutingAssembly().GetName().Version}");
                return ExitOk;
            case Verb.Demo:
                return await RunDemoAsync(invocation);
        }

        PypeSettings settings;
        Akka.Configuration.Config config;
        string? passphrase;
        try
        {
            (settings, config) = SettingsLoader.Load(invocation.ConfigFiles, invocation.Overrides, Environment.GetEnvironmentVariable);
            passphrase = Passphrase.ReadAndForget(invocation.PassphraseFile);
        }
        catch (SettingsException ex)
        {
            Console.Error.WriteLine($"pype: invalid configuration: {ex.Message}");
            return ExitUsage;
        }

        try
        {
            return invocation.Verb == Verb.Keygen
                ? Keygen(settings, passphrase)
                : await RunProcessAsync(settings, config, passphrase);
        }
        catch (IdentityStoreException ex)
        {
            Console.Error.WriteLine($"pype: {ex.Message}");
            return ExitIdentity;
        }
        catch (DatabaseCorruptException ex)
        {
            Console.Error.WriteLine($"pype: {ex.Message}");
            return ExitDatabase;
        }
        catch (ListenException ex)
        {
            Console.Error.WriteLine($"pype: {ex.Message}");
            return ExitFailure;
        }
        catch (DataDirectoryInUseException ex)
        {
            Console.Error.WriteLine($"pype: {ex.Message}");
            return ExitFailure;
        }
    }

    private static async Task<int> RunDemoAsync(Invocation invocation)
    {
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            return await new Pype.Cli.Demo.DemoRun(invocation.Demo!, Console.Out).RunAsync(invocation.Overrides, stop.Token);
        }
        catch (SettingsException ex)
        {
            Console.Error.WriteLine($"pype: invalid configuration: {ex.Message}");
            return ExitUsage;
        }
    }

    private static int Keygen(PypeSettings settings, string? passphrase)
    {
        foreach (var tightened in OwnerOnlyDataDirectory.Enforce(settings.DataDir))
            Console.Error.WriteLine($"pype: warning: {tightened}");
        var store = new IdentityStore(settings.DataDir, IdentityStore.NodeKeyFileName, settings.Identity.KeyFileCost);
        var loaded = store.LoadOrCreate(passphrase);
        Console.WriteLine(loaded.Created ? $"created {store.KeyFilePath}" : $"{store.KeyFilePath} already exists; it was not changed (use 'newkeys' in a running node to rotate)");
        Console.WriteLine($"address: {loaded.Identity.Address}");
        Console.WriteLine($"hash:    {loaded.Identity.Hash}");
        if (loaded.Warning is { } warning) Console.Error.WriteLine($"pype: warning: {warning}");
        return ExitOk;
    }

    private static async Task<int> RunProcessAsync(PypeSettings settings, Akka.Configuration.Config config, string? passphrase)
    {
        var processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var output = CreateOutput(settings);
        await using var host = await PypeHost.StartAsync(settings, config, passphrase, () => DateTime.UtcNow - processStart);

        foreach (var warning in host.Warnings) output.Show(new ConsoleWarning(warning));
        if (host.Seed is { } seed)
            output.Show(await seed.Ask<object>(new Pype.Actors.Seed.SeedWhoAmI(), TimeSpan.FromSeconds(10)));
        var identity = host.Node is { } node ? await node.Ask<NodeReply>(new WhoAmI(), TimeSpan.FromSeconds(10)) as IdentityView : null;
        var role = (host.Node, host.Seed) switch { (not null, not null) => "seed-and-node", (not null, null) => "node", _ => "seed" };
        if (identity is not null)
            output.Show(new NodeReady(role, identity.Address, identity.Hash, host.StartupTime, settings.DataDir, host.NodeListen?.ToString(), host.SeedListen?.ToString()));
        else if (host.Seed is not null)
            output.Show(new NodeReady(role, "", "", host.StartupTime, settings.DataDir, null, host.SeedListen?.ToString()));

        if (host.Node is { } eventSource)
            eventSource.Tell(new SubscribeNodeEvents(host.System.ActorOf(ConsoleEventSink.Props(output), "console-events")));

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        var terminal = !Console.IsInputRedirected;
        Action? prompt = terminal && output is TextConsoleOutput text ? text.Prompt : null;
        var session = new ConsoleSession(host, Console.In, output, prompt);
        var ended = session.RunAsync(stop.Token);
        var finished = await Task.WhenAny(ended, host.WhenTerminated);
        var reason = finished == ended ? await ended : "actor system terminated";

        await host.ShutdownAsync();
        await host.WhenTerminated;
        output.Show(new ProcessStopped(reason));
        return ExitOk;
    }

    private static IConsoleOutput CreateOutput(PypeSettings settings) => settings.Events == EventsFormat.Json
        ? new JsonConsoleOutput(Console.Out, TimeProvider.System)
        : new TextConsoleOutput(Console.Out, terminal: !Console.IsOutputRedirected);
}
