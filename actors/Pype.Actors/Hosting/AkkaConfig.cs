using Akka.Configuration;
using Pype.Actors.Configuration;

namespace Pype.Actors.Hosting;

/// <summary>Builds the Akka part of the configuration from the validated pype.* settings.</summary>
public static class AkkaConfig
{
    public const string DatabaseFileName = "pype.db";

    public static string DatabasePath(PypeSettings settings) => Path.Combine(settings.DataDir, DatabaseFileName);

    public static Config For(PypeSettings settings, Config pypeConfig)
    {
        var connection = $"Data Source={DatabasePath(settings)};Pooling=False";
        var akka = $$"""
            akka {
              stdout-loglevel = OFF
              loggers = ["Pype.Actors.Hosting.StandardErrorLogger, Pype.Actors"]
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.run-by-clr-shutdown-hook = on
              coordinated-shutdown.exit-clr = off
              actor {
                serializers { pype-json = "Pype.Actors.Persistence.PypeJsonSerializer, Pype.Actors" }
                serialization-bindings {
                  "Pype.Core.Contacts.ContactEvent, Pype.Core" = pype-json
                  "Pype.Actors.Contacts.ContactsSnapshot, Pype.Actors" = pype-json
                  "Pype.Actors.Replication.ReplicaItemStored, Pype.Actors" = pype-json
                  "Pype.Actors.Replication.ReplicaItemsSnapshot, Pype.Actors" = pype-json
                }
                serialization-identifiers { "Pype.Actors.Persistence.PypeJsonSerializer, Pype.Actors" = 4711 }
              }
              persistence {
                journal {
                  plugin = "akka.persistence.journal.sql"
                  sql {
                    connection-string = "{{Escape(connection)}}"
                    provider-name = "SQLite.MS"
                    auto-initialize = on
                    parallelism = 1
                  }
                }
                snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql {
                    connection-string = "{{Escape(connection)}}"
                    provider-name = "SQLite.MS"
                    auto-initialize = on
                  }
                }
              }
            }
            """;
        // A config file may lower or raise akka.loglevel; everything above is fixed.
        return ConfigurationFactory.ParseString(akka)
            .WithFallback(pypeConfig)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
