namespace Pype.Cli;

public enum Verb { Node, Seed, Keygen, Help, Version }

/// <summary>What the user asked for on the command line.</summary>
public sealed record Invocation(
    Verb Verb,
    IReadOnlyList<string> ConfigFiles,
    IReadOnlyDictionary<string, string> Overrides,
    string? PassphraseFile);

public sealed class UsageException(string message) : Exception(message);

/// <summary>Parses <c>pype VERB [options]</c>. Flags become pype.* overrides so that one
/// validation path (SettingsLoader) checks them all.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: pype VERB [options]

        verbs:
          node      run a node (console on stdin)
          seed      run a seed (console on stdin)
          keygen    create the identity key file in the data directory, or show the existing one
          help      show this text
          version   show the version

        options:
          --config FILE           HOCON file (repeatable; later files win over earlier ones)
          --data-dir DIR          data directory (pype.data-dir)
          --events text|json      console output: text, or one JSON object per line (pype.events)
          --passphrase-file FILE  encrypt/decrypt the key file with the passphrase in FILE
                                  (or set PYPE_PASSPHRASE)
          --set KEY=VALUE         set any pype.* key (repeatable)

        exit codes: 0 ok, 1 runtime failure, 2 invalid command line or configuration,
                    3 identity key file problem, 4 database problem
        """;

    public static Invocation Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return new Invocation(Verb.Help, [], new Dictionary<string, string>(), null);
        var verb = args[0] switch
        {
            "node" => Verb.Node,
            "seed" => Verb.Seed,
            "keygen" => Verb.Keygen,
            "help" or "--help" or "-h" => Verb.Help,
            "version" or "--version" => Verb.Version,
            var other => throw new UsageException($"unknown verb '{other}'"),
        };
        var configs = new List<string>();
        var overrides = new Dictionary<string, string>();
        string? passphraseFile = null;
        for (var i = 1; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{flag} needs a value");
            switch (flag)
            {
                case "--config": configs.Add(Value()); break;
                case "--data-dir": overrides["pype.data-dir"] = Value(); break;
                case "--events": overrides["pype.events"] = Value(); break;
                case "--passphrase-file": passphraseFile = Value(); break;
                case "--set":
                    var assignment = Value();
                    var eq = assignment.IndexOf('=');
                    if (eq <= 0) throw new UsageException($"--set expects KEY=VALUE, got '{assignment}'");
                    overrides[assignment[..eq].Trim()] = assignment[(eq + 1)..].Trim();
                    break;
                default: throw new UsageException($"unknown option '{flag}'");
            }
        }
        if (verb == Verb.Node) overrides.TryAdd("pype.node.enabled", "on");
        if (verb == Verb.Seed) overrides.TryAdd("pype.seed.enabled", "on");
        return new Invocation(verb, configs, overrides, passphraseFile);
    }
}
