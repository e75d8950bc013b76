// Network namespaces, nftables and /proc: the lab only runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
