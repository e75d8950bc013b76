using Pype.Core.Noise;
using Xunit;
using Xunit.Abstractions;

namespace Pype.Core.Tests.Noise;

public sealed class NoiseVectorTests(ITestOutputHelper output)
{
    public static TheoryData<string> SupportedProtocolNames()
    {
        var names = new TheoryData<string>();
        foreach (var vector in NoiseTestVectors.All.Where(IsSupported))
            names.Add(vector.ProtocolName);
        return names;
    }

    [Fact]
    public void Every_vector_without_a_psk_or_fallback_is_supported_and_IK_is_among_them()
    {
        var supported = NoiseTestVectors.All.Where(IsSupported).ToList();
        var skipped = NoiseTestVectors.All.Where(v => !IsSupported(v)).ToList();
        foreach (var group in supported.GroupBy(v => v.ProtocolName))
            output.WriteLine($"run:     {group.Key} x{group.Count()}");
        foreach (var vector in skipped)
            output.WriteLine($"skipped: {vector.ProtocolName}");

        Assert.Contains(supported, v => v.ProtocolName == "Noise_IK_25519_ChaChaPoly_BLAKE2b");
        Assert.All(skipped, v => Assert.True(v.UsesPsk || v.ProtocolName.Contains("fallback", StringComparison.Ordinal), v.ProtocolName));
    }

    [Theory]
    [MemberData(nameof(SupportedProtocolNames))]
    public void Handshake_and_transport_messages_match_the_vector_byte_for_byte(string protocolName)
    {
        foreach (var vector in NoiseTestVectors.All.Where(v => v.ProtocolName == protocolName))
            RunVector(vector);
    }

    private static bool IsSupported(NoiseVector vector)
    {
        var patternName = NoiseProtocolName.PatternNameOf(vector.ProtocolName);
        return !vector.UsesPsk && patternName is not null && HandshakePattern.TryGet(patternName, out _);
    }

    private static void RunVector(NoiseVector vector)
    {
        HandshakePattern.TryGet(NoiseProtocolName.PatternNameOf(vector.ProtocolName)!, out var pattern);
        var initiator = new HandshakeState(
            pattern, isInitiator: true, vector.InitiatorPrologue,
            KeyPairOrNull(vector.InitiatorStatic), X25519.FromPrivateKey(vector.InitiatorEphemeral), vector.InitiatorRemoteStatic);
        var responder = new HandshakeState(
            pattern, isInitiator: false, vector.ResponderPrologue,
            KeyPairOrNull(vector.ResponderStatic), X25519.FromPrivateKey(vector.ResponderEphemeral), vector.ResponderRemoteStatic);

        var handshakeMessages = vector.Messages.Take(pattern.Messages.Count).ToList();
        for (var i = 0; i < handshakeMessages.Count; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            Assert.True(writer.TryWriteMessage(handshakeMessages[i].Payload, out var message));
            Assert.Equal(Convert.ToHexString(handshakeMessages[i].Ciphertext), Convert.ToHexString(message));
            Assert.True(reader.TryReadMessage(message, out var payload));
            Assert.Equal(handshakeMessages[i].Payload, payload);
        }

        Assert.True(initiator.IsComplete && responder.IsComplete);
        Assert.Equal(Convert.ToHexString(vector.HandshakeHash), Convert.ToHexString(initiator.HandshakeHash));
        Assert.Equal(vector.HandshakeHash, responder.HandshakeHash);

        var (initiatorSend, initiatorReceive) = initiator.Split();
        var (responderReceive, responderSend) = responder.Split();
        for (var i = handshakeMessages.Count; i < vector.Messages.Count; i++)
        {
            var initiatorSpeaks = pattern.IsOneWay || i % 2 == 0;
            var (sender, receiver) = initiatorSpeaks ? (initiatorSend, responderReceive) : (responderSend, initiatorReceive);
            var ciphertext = sender.EncryptWithAd([], vector.Messages[i].Payload);
            Assert.Equal(Convert.ToHexString(vector.Messages[i].Ciphertext), Convert.ToHexString(ciphertext));
            Assert.True(receiver.TryDecryptWithAd([], ciphertext, out var payload));
            Assert.Equal(vector.Messages[i].Payload, payload);
        }
    }

    private static NoiseKeyPair? KeyPairOrNull(byte[]? privateKey) => privateKey is null ? null : X25519.FromPrivateKey(privateKey);
}
