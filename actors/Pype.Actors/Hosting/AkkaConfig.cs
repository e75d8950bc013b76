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
        var cluster = ClusterConfig(settings);
        return (cluster.IsEmpty ? ConfigurationFactory.ParseString(akka) : ConfigurationFactory.ParseString(akka).WithFallback(cluster))
            .WithFallback(pypeConfig)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>The actor system's name: cluster members must share it.</summary>
    public const string SystemName = "pype";

    /// <summary>Akka address of a seed's cluster transport (TLS: the akka.ssl.tcp scheme).</summary>
    public static string MemberAddress(System.Net.IPEndPoint endPoint) => $"akka.ssl.tcp://{SystemName}@{endPoint.Address}:{endPoint.Port}";

    /// <summary>
    /// Seeds of one cluster: Akka.Remote over TLS on the DotNetty transport, Akka.Cluster with the
    /// split-brain resolver (keep-majority: with three seeds, the two that still see each other
    /// down the third), distributed data for the registry and pub-sub for introductions.
    /// </summary>
    private static Config ClusterConfig(PypeSettings settings)
    {
        var cluster = settings.Seed.Cluster;
        if (!settings.Seed.Enabled || !cluster.Enabled) return Config.Empty;
        var members = cluster.Members.Count == 0 ? [cluster.Listen] : cluster.Members;
        var seedNodes = string.Join(", ", members.Select(m => $"\"{MemberAddress(m)}\""));
        var suppress = cluster.SuppressCertificateValidation ? "true" : "false";
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{cluster.Listen.Address}}"
                port = {{cluster.Listen.Port}}
                # The replicated registry's gossip carries thousands of signed presences: the
                # default 128 kB frame would drop it (a member would learn only part of it).
                maximum-frame-size = 16 MiB
                send-buffer-size = 16 MiB
                receive-buffer-size = 16 MiB
                enable-ssl = true
                ssl {
                  suppress-validation = {{suppress}}
                  certificate {
                    path = "{{Escape(cluster.CertificatePath)}}"
                    password = "{{Escape(cluster.CertificatePassword)}}"
                  }
                }
              }
              cluster {
                seed-nodes = [{{seedNodes}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = 5s
                }
                distributed-data.gossip-interval = 500 ms
              }
            }
            """);
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
