using Pype.Core.Noise;
using Pype.Core.Tests.Support;
using Xunit;

namespace Pype.Core.Tests.Noise;

public sealed class HandshakePatternTests
{
    public static TheoryData<string> PatternNames() => new(HandshakePattern.SupportedNames);

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void Both_sides_of_every_pattern_agree_on_payloads_hash_and_transport_keys(string patternName)
    {
        Assert.True(HandshakePattern.TryGet(patternName, out var pattern));
        var random = new SeededRandomSource(patternName.GetHashCode(StringComparison.Ordinal));
        var initiatorStatic = X25519.GenerateKeyPair(random);
        var responderStatic = X25519.GenerateKeyPair(random);
        var initiatorKnowsResponder = pattern.ResponderPreMessage.Contains(HandshakeToken.S);
        var responderKnowsInitiator = pattern.InitiatorPreMessage.Contains(HandshakeToken.S);
        byte[] prologue = [1, 2, 3];

        var initiator = new HandshakeState(pattern, true, prologue, initiatorStatic,
            remoteStatic: initiatorKnowsResponder ? responderStatic.PublicKey : default, random: random);
        var responder = new HandshakeState(pattern, false, prologue, responderStatic,
            remoteStatic: responderKnowsInitiator ? initiatorStatic.PublicKey : default, random: random);

        for (var i = 0; i < pattern.Messages.Count; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            byte[] payload = [(byte)i, 42];
            Assert.True(writer.TryWriteMessage(payload, out var message));
            Assert.True(reader.TryReadMessage(message, out var received));
            Assert.Equal(payload, received);
        }

        Assert.Equal(initiator.HandshakeHash, responder.HandshakeHash);
        var (initiatorSend, _) = initiator.Split();
        var (responderReceive, _) = responder.Split();
        Assert.True(responderReceive.TryDecryptWithAd([], initiatorSend.EncryptWithAd([], [7, 7]), out var transported));
        Assert.Equal([7, 7], transported);
    }

    [Fact]
    public void A_low_order_public_key_yields_no_shared_secret()
    {
        var key = X25519.GenerateKeyPair(new SeededRandomSource(1));
        var lowOrderPoint = new byte[X25519.KeyLength];

        Assert.False(X25519.TryAgree(key.PrivateKey, lowOrderPoint, out _));
    }

    [Fact]
    public void A_tampered_handshake_message_fails_and_the_handshake_is_abandoned()
    {
        var random = new SeededRandomSource(2);
        var responderStatic = X25519.GenerateKeyPair(random);
        var initiator = new HandshakeState(HandshakePattern.IK, true, [], X25519.GenerateKeyPair(random), remoteStatic: responderStatic.PublicKey, random: random);
        var responder = new HandshakeState(HandshakePattern.IK, false, [], responderStatic, random: random);
        Assert.True(initiator.TryWriteMessage([], out var message));
        message[^1] ^= 1;

        Assert.False(responder.TryReadMessage(message, out _));
        Assert.False(responder.TryWriteMessage([], out _));
    }
}
