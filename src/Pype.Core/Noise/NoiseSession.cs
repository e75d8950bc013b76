using Pype.Core.Wire;

namespace Pype.Core.Noise;

/// <summary>
/// An established Pype session: transport keys, the two indices and the replay window.
/// A plain object: the caller supplies time and decides when to rekey.
/// </summary>
public sealed class NoiseSession
{
    private readonly CipherState _sending;
    private readonly CipherState _receiving;
    private readonly ReplayWindow _replayWindow = new();

    internal NoiseSession(
        bool isInitiator, uint localIndex, uint remoteIndex, byte[] remoteStaticPublicKey, byte[] handshakeHash,
        CipherState sending, CipherState receiving, DateTimeOffset establishedAt)
    {
        IsInitiator = isInitiator;
        LocalIndex = localIndex;
        RemoteIndex = remoteIndex;
        RemoteStaticPublicKey = remoteStaticPublicKey;
        HandshakeHash = handshakeHash;
        _sending = sending;
        _receiving = receiving;
        EstablishedAt = establishedAt;
    }

    public bool IsInitiator { get; }

    public uint LocalIndex { get; }

    public uint RemoteIndex { get; }

    public IReadOnlyList<byte> RemoteStaticPublicKey { get; }

    /// <summary>Identical on both sides; usable for channel binding.</summary>
    public IReadOnlyList<byte> HandshakeHash { get; }

    public DateTimeOffset EstablishedAt { get; }

    public ulong MessagesSent => _sending.Nonce;

    /// <summary>True once <see cref="Retire"/> wiped the keys: nothing is encrypted or decrypted any more.</summary>
    public bool IsRetired => _sending.IsWiped;

    /// <summary>
    /// Zeros both transport keys once the session is let go, so a later memory disclosure (a core
    /// dump, swap, a heap read) does not hand over traffic that session carried.
    /// </summary>
    public void Retire()
    {
        _sending.Wipe();
        _receiving.Wipe();
    }

    public Outcome<byte[], SendFailure> Encrypt(ReadOnlySpan<byte> payload)
    {
        if (IsRetired)
            return SendFailure.Retired;
        if (payload.Length > TransportData.MaxPayloadLength)
            return SendFailure.PayloadTooLarge;
        if (_sending.Nonce >= PypeNoise.RejectAfterMessages)
            return SendFailure.CounterExhausted;
        var header = TransportDataCodec.EncodeHeader(RemoteIndex, _sending.Nonce);
        var ciphertext = _sending.EncryptWithAd(header, payload);
        return (byte[])[.. header, .. ciphertext];
    }

    public Outcome<byte[], DropReason> Decrypt(ReadOnlySpan<byte> packet)
    {
        var decoded = TransportDataCodec.Decode(packet);
        if (!decoded.IsSuccess)
            return decoded.Error == WireError.TooShort ? DropReason.TooShort : DropReason.Malformed;
        var data = decoded.Value;
        if (data.ReceiverIndex != LocalIndex)
            return DropReason.WrongIndex;
        if (IsRetired)
            return DropReason.Retired;
        if (data.Counter >= PypeNoise.RejectAfterMessages)
            return DropReason.CounterLimitReached;
        if (!_replayWindow.IsAcceptable(data.Counter))
            return DropReason.Replayed;
        _receiving.SetNonce(data.Counter);
        if (!_receiving.TryDecryptWithAd(packet[..TransportData.HeaderLength], data.Ciphertext, out var payload))
            return DropReason.AuthenticationFailed;
        _replayWindow.TryAccept(data.Counter);
        return payload;
    }

    public bool NeedsRekey(DateTimeOffset now) =>
        now - EstablishedAt >= PypeNoise.RekeyAfterTime || _sending.Nonce >= PypeNoise.RekeyAfterMessages;

    public bool IsExpired(DateTimeOffset now) =>
        now - EstablishedAt >= PypeNoise.RejectAfterTime || _sending.Nonce >= PypeNoise.RejectAfterMessages;

    /// <summary>For tests: both transport keys are zeros.</summary>
    internal bool HoldsNoKeyMaterial => _sending.HoldsNoKeyMaterial && _receiving.HoldsNoKeyMaterial;

    /// <summary>Lets tests reach the counter limits without sending 2^64 packets.</summary>
    internal void SkipSendCounterTo(ulong counter) => _sending.SetNonce(counter);
}
