using Pype.Bench;

// Benchmarks print figures and ratios; they assert nothing (this machine is shared and noisy).
var which = args.Length > 0 ? args[0] : "all";
if (which is "all" or "handshake")
{
    var result = HandshakeBenchmark.Run(TimeSpan.FromSeconds(3));
    Console.WriteLine("Noise_IK_25519_ChaChaPoly_BLAKE2b handshakes (initiation + response + completion, one thread)");
    Console.WriteLine($"| handshakes | wall time | per second per core | µs each |");
    Console.WriteLine($"| ---: | ---: | ---: | ---: |");
    Console.WriteLine($"| {result.Handshakes} | {result.Elapsed.TotalSeconds:0.00} s | {result.PerSecondPerCore:0} | {result.MicrosecondsEach:0.0} |");
}
