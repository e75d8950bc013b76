using System.Net;
using Pype.Core.Identity;
using Pype.Core.Noise;
using Pype.Core.Seed;
using Pype.Core.Wire;
using Xunit;

namespace Pype.Core.Tests.Seed;

/// <summary>
/// The measured attack of issue #14: initiations from spoofed source addresses, most of them with
/// a valid mac1 (anyone who knows the seed's key can make one), some full handshakes of fresh
/// keys. With cookies a genuine node still registers within a second and a registered one
/// rekeys, while the seed's Diffie-Hellman work stays at its no-cookie budget.
/// </summary>
public sealed class SeedHandshakeFloodTests
{
    private const int FloodSize = 100_000;
    private const int ValidAmongThem = 300;
    private const int PerBatch = 100;
    private const int BeforeCookies = 100;
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void A_flood_of_100k_spoofed_initiations_stops_neither_a_new_node_registering_nor_a_registered_one_rekeying()
    {
        var scenario = new SeedScenario(seed: 41);
        var seed = scenario.AddSeed(new SeedServerOptions { HandshakesPerSecondBeforeCookies = BeforeCookies, MaxHalfOpenSessions = 500 });
        var registered = scenario.AddNode(seed);
        scenario.RunUntil(() => registered.Client.IsRegistered, TimeSpan.FromSeconds(5));

        var flood = Flood(seed, scenario.Now);
        long floodBytes = 0, answeredToSpoofed = 0;
        scenario.Loses = (from, to, datagram) =>
        {
            if (from.Equals(seed.EndPoint) && IsSpoofed(to.Address))
                answeredToSpoofed += datagram.Length;
            return false;
        };
        // Around the registered node's rekey, due two minutes after its session began.
        var floodStart = registered.Client.SessionEstablishedAt!.Value + TimeSpan.FromSeconds(115);
        for (var batch = 0; batch * PerBatch < flood.Count; batch++)
        {
            var first = batch * PerBatch;
            scenario.Network.Schedule(floodStart + batch * BatchInterval, () =>
            {
                for (var k = first; k < Math.Min(first + PerBatch, flood.Count); k++)
                {
                    seed.Server.HandleDatagram(scenario.Now, Spoofed(k), flood[k]);
                    floodBytes += flood[k].Length;
                }
                seed.Flush();
            });
        }
        var floodEnd = floodStart + FloodSize / PerBatch * BatchInterval;

        scenario.RunUntil(floodStart + TimeSpan.FromSeconds(3));
        var newcomer = scenario.AddNode(seed);
        scenario.RunUntil(() => newcomer.Client.IsRegistered, TimeSpan.FromSeconds(1));
        scenario.RunUntil(floodEnd);

        Assert.Equal(FloodSize, floodBytes / HandshakeInitiation.Length);
        Assert.True(registered.Client.IsRegistered);
        Assert.True(registered.Client.SessionEstablishedAt > floodStart, "the registered node rekeyed during the flood");
        Assert.True(seed.Server.IsOnline(registered.Key) && seed.Server.IsOnline(newcomer.Key));
        var seconds = (int)Math.Ceiling((floodEnd - floodStart).TotalSeconds) + 1;
        Assert.InRange(seed.Server.HandshakeDiffieHellmanRuns, 1, BeforeCookies * seconds + 10);
        Assert.True(seed.Server.Drops[SeedServerDrop.HandshakeCookieRequired] > FloodSize * 9 / 10);
        Assert.True(answeredToSpoofed < floodBytes / 2, $"{answeredToSpoofed} bytes answered for {floodBytes}");
        Assert.InRange(seed.Server.HalfOpenSessionCount, 0, 500);
    }

    private static bool IsSpoofed(IPAddress address) => address.GetAddressBytes() is [198, 18 or 19, _, _];

    private static IPEndPoint Spoofed(int k) => new(new IPAddress([198, (byte)(18 + ((k >> 16) & 1)), (byte)(k >> 8), (byte)k]), 1024 + k % 60_000);

    /// <summary>Initiations that pass mac1 (random inside, so each costs a DH that fails) and, spread among them, valid ones of fresh keys.</summary>
    private static List<byte[]> Flood(SeedServerHost seed, DateTimeOffset now)
    {
        var random = new Random(5);
        var seedStatic = IdentityKeyPair.ToX25519PublicKey(seed.Identity.PublicKey.Span);
        var noise = new Support.SeededRandomSource(6);
        var flood = new List<byte[]>(FloodSize);
        for (var k = 0; k < FloodSize; k++)
        {
            if (k % (FloodSize / ValidAmongThem) == 0)
            {
                var attacker = NoiseStaticKey.From(IdentityKeyPair.Generate(noise));
                flood.Add(new NoiseInitiator(attacker, seedStatic, (uint)k, now, noise).InitiationPacket);
                continue;
            }
            var packet = new byte[HandshakeInitiation.Length];
            packet[0] = (byte)PypePacketType.HandshakeInitiation;
            random.NextBytes(packet.AsSpan(HandshakeInitiation.SenderIndexOffset, HandshakeInitiation.MacOffset - HandshakeInitiation.SenderIndexOffset));
            PacketMac.Seal(packet, seedStatic);
            flood.Add(packet);
        }
        return flood;
    }
}
