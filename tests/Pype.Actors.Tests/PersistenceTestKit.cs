using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using Pype.Actors.Configuration;
using Pype.Actors.Hosting;
using Pype.Lab;

namespace Pype.Actors.Tests;

/// <summary>A TestKit whose actor system journals into a real SQLite database in a fresh folder.</summary>
public abstract class PersistenceTestKit : TestKit
{
    private readonly TempDirectory dir;

    protected PersistenceTestKit() : this(new TempDirectory()) { }

    private PersistenceTestKit(TempDirectory dir) : base(PersistenceConfig(dir)) => this.dir = dir;

    protected string DataDir => dir.Path;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        dir.Dispose();
    }

    private static Akka.Configuration.Config PersistenceConfig(TempDirectory dir)
    {
        var (settings, config) = SettingsLoader.Load([], new Dictionary<string, string> { ["pype.data-dir"] = dir.Path }, _ => null);
        // A wait, not a bound: the first write to a fresh SQLite journal (schema, the SQL layer's
        // warm-up) took over TestKit's default 3 s once in CI, while the other actor tests ran beside it.
        return Akka.Configuration.ConfigurationFactory.ParseString("akka.test.single-expect-default = 15s")
            .WithFallback(AkkaConfig.For(settings, config));
    }

    protected void Stop(IActorRef actor)
    {
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        ExpectTerminated(actor);
    }

    /// <summary>Runs a COUNT query straight against the node's database file.</summary>
    protected long CountRows(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, AkkaConfig.DatabaseFileName)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
