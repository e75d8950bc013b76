using Pype.Core.Connection;
using Pype.Core.Noise;
using Pype.Core.Tests.Noise;
using Xunit;

namespace Pype.Core.Tests.Connection;

/// <summary>Transport keys are zeroed the moment a session is let go, so a later memory disclosure finds none.</summary>
public sealed class SessionWipeTests
{
    private static readonly DateTimeOffset Now = PypeHandshakePeers.Start;

    private static NoiseSession AliceSession(PypeHandshakePeers peers, uint index)
    {
        var initiator = peers.AliceInitiates(Now, index);
        var accepted = peers.BobResponder().Respond(initiator.InitiationPacket, 1000 + index, Now, peers.Random);
        return initiator.Complete(accepted.Value!.ResponsePacket, Now).Value!;
    }

    [Fact]
    public void A_retired_session_holds_only_zeros_and_neither_encrypts_nor_decrypts()
    {
        var (alice, bob) = new PypeHandshakePeers().Handshake(Now);
        var packet = alice.Encrypt("after the end"u8).Value!;
        Assert.False(bob.HoldsNoKeyMaterial);

        bob.Retire();

        Assert.True(bob.IsRetired);
        Assert.True(bob.HoldsNoKeyMaterial);
        Assert.Equal(DropReason.Retired, bob.Decrypt(packet).Reason);
        Assert.Equal(SendFailure.Retired, bob.Encrypt("anything"u8).Reason);
        // The other side is untouched: only what is let go is wiped.
        Assert.False(alice.IsRetired || alice.HoldsNoKeyMaterial);
    }

    [Fact]
    public void A_wiped_cipher_never_falls_back_to_passing_plaintext_through()
    {
        var cipher = new CipherState();
        cipher.InitializeKey(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        cipher.Wipe();

        Assert.Throws<InvalidOperationException>(() => cipher.EncryptWithAd([], "secret"u8));
        Assert.False(cipher.TryDecryptWithAd([], "secret"u8, out var plaintext));
        Assert.Empty(plaintext);
    }

    [Fact]
    public void Sessions_a_link_pushes_out_or_clears_are_wiped_and_those_it_keeps_are_not()
    {
        var peers = new PypeHandshakePeers();
        var set = new LinkSessionSet();
        var sessions = Enumerable.Range(1, PeerLinkOptions.MaxSessions + 2).Select(i => AliceSession(peers, (uint)i)).ToList();
        foreach (var session in sessions) set.Add(session, leaderInitiated: true, Now);

        var (kept, pushedOut) = (sessions.Where(s => set.Contains(s.LocalIndex)).ToList(), sessions.Where(s => !set.Contains(s.LocalIndex)).ToList());
        Assert.Equal(2, pushedOut.Count);
        Assert.All(pushedOut, s => Assert.True(s.IsRetired && s.HoldsNoKeyMaterial));
        Assert.All(kept, s => Assert.False(s.IsRetired || s.HoldsNoKeyMaterial));

        set.Clear();
        Assert.All(sessions, s => Assert.True(s.IsRetired && s.HoldsNoKeyMaterial));
    }
}
