using System.Text;

namespace Pype.Core.Noise;

/// <summary>The fixed choices Pype makes on top of the Noise framework.</summary>
public static class PypeNoise
{
    public const string ProtocolName = "Noise_IK_25519_ChaChaPoly_BLAKE2b";

    /// <summary>Bound into the handshake hash, so a v1 handshake can never be mistaken for another protocol's.</summary>
    public static readonly byte[] Prologue = Encoding.ASCII.GetBytes("pype v1");

    /// <summary>After this long a session should be replaced by a fresh handshake (WireGuard's REKEY_AFTER_TIME).</summary>
    public static readonly TimeSpan RekeyAfterTime = TimeSpan.FromSeconds(120);

    /// <summary>After this long a session's keys are no longer used at all (WireGuard's REJECT_AFTER_TIME).</summary>
    public static readonly TimeSpan RejectAfterTime = TimeSpan.FromSeconds(180);

    /// <summary>Messages sent before a rekey is asked for (2^60, as WireGuard).</summary>
    public const ulong RekeyAfterMessages = 1UL << 60;

    /// <summary>
    /// Messages after which a session refuses to send or accept more: 2^64 − 2^13 − 1 as in WireGuard,
    /// leaving room below the nonce Noise reserves and beyond the replay window.
    /// </summary>
    public const ulong RejectAfterMessages = ulong.MaxValue - (1UL << 13);
}
