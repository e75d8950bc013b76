namespace Pype.Core.Noise;

/// <summary>
/// The Noise HandshakeState for one side of one handshake. Ephemeral keys may be fixed up front
/// (test vectors do); otherwise they come from the injected random source.
/// A failed read or write poisons the state: the spec requires the handshake to be abandoned.
/// </summary>
public sealed class HandshakeState
{
    private readonly HandshakePattern _pattern;
    private readonly SymmetricState _symmetric;
    private readonly NoiseKeyPair? _localStatic;
    private readonly IRandomSource? _random;
    private NoiseKeyPair? _localEphemeral;
    private byte[]? _remoteStatic;
    private byte[]? _remoteEphemeral;
    private int _messageIndex;
    private bool _failed;

    public HandshakeState(
        HandshakePattern pattern,
        bool isInitiator,
        ReadOnlySpan<byte> prologue,
        NoiseKeyPair? localStatic = null,
        NoiseKeyPair? localEphemeral = null,
        ReadOnlySpan<byte> remoteStatic = default,
        IRandomSource? random = null)
    {
        _pattern = pattern;
        IsInitiator = isInitiator;
        _localStatic = localStatic;
        _localEphemeral = localEphemeral;
        _remoteStatic = remoteStatic.IsEmpty ? null : remoteStatic.ToArray();
        _random = random;
        _symmetric = new SymmetricState(NoiseProtocolName.For(pattern));
        _symmetric.MixHash(prologue);
        MixPreMessage(pattern.InitiatorPreMessage, ownedByUs: isInitiator);
        MixPreMessage(pattern.ResponderPreMessage, ownedByUs: !isInitiator);
    }

    private HandshakeState(HandshakeState original)
    {
        _pattern = original._pattern;
        IsInitiator = original.IsInitiator;
        _symmetric = original._symmetric.Clone();
        _localStatic = original._localStatic;
        _random = original._random;
        _localEphemeral = original._localEphemeral;
        _remoteStatic = original._remoteStatic?.ToArray();
        _remoteEphemeral = original._remoteEphemeral?.ToArray();
        _messageIndex = original._messageIndex;
        _failed = original._failed;
    }

    public bool IsInitiator { get; }

    public bool IsComplete => !_failed && _messageIndex == _pattern.Messages.Count;

    public bool IsMyTurnToWrite => !IsComplete && !_failed && (_messageIndex % 2 == 0) == IsInitiator;

    public byte[] HandshakeHash => _symmetric.HandshakeHash;

    public byte[]? RemoteStaticPublicKey => _remoteStatic?.ToArray();

    /// <summary>A copy to try an untrusted message on, so a forgery cannot spoil the real state.</summary>
    public HandshakeState Clone() => new(this);

    public bool TryWriteMessage(ReadOnlySpan<byte> payload, out byte[] message)
    {
        message = [];
        if (!IsMyTurnToWrite)
            return false;
        var output = new List<byte>();
        foreach (var token in _pattern.Messages[_messageIndex])
        {
            if (!TryWriteToken(token, output))
                return Fail();
        }
        output.AddRange(_symmetric.EncryptAndHash(payload));
        _messageIndex++;
        message = [.. output];
        return true;
    }

    public bool TryReadMessage(ReadOnlySpan<byte> message, out byte[] payload)
    {
        payload = [];
        if (IsComplete || _failed || IsMyTurnToWrite)
            return false;
        var remaining = message;
        foreach (var token in _pattern.Messages[_messageIndex])
        {
            if (!TryReadToken(token, ref remaining))
                return Fail();
        }
        if (!_symmetric.TryDecryptAndHash(remaining, out payload))
            return Fail();
        _messageIndex++;
        return true;
    }

    /// <summary>The transport ciphers, available once every handshake message has been processed.</summary>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        if (!IsComplete)
            throw new InvalidOperationException("The handshake is not complete.");
        return _symmetric.Split();
    }

    private void MixPreMessage(IReadOnlyList<HandshakeToken> tokens, bool ownedByUs)
    {
        foreach (var token in tokens)
        {
            var key = (token, ownedByUs) switch
            {
                (HandshakeToken.S, true) => _localStatic?.PublicKey,
                (HandshakeToken.S, false) => _remoteStatic,
                (HandshakeToken.E, true) => _localEphemeral?.PublicKey,
                (HandshakeToken.E, false) => _remoteEphemeral,
                _ => throw new ArgumentException($"Token {token} cannot appear in a pre-message."),
            };
            if (key is null)
                throw new ArgumentException($"Pattern {_pattern.Name} needs the {(ownedByUs ? "local" : "remote")} {token} key up front.");
            _symmetric.MixHash(key);
        }
    }

    private bool TryWriteToken(HandshakeToken token, List<byte> output)
    {
        switch (token)
        {
            case HandshakeToken.E:
                _localEphemeral ??= X25519.GenerateKeyPair(_random ?? throw new InvalidOperationException("No ephemeral key and no random source."));
                output.AddRange(_localEphemeral.PublicKey);
                _symmetric.MixHash(_localEphemeral.PublicKey);
                return true;
            case HandshakeToken.S:
                if (_localStatic is null)
                    throw new InvalidOperationException($"Pattern {_pattern.Name} needs a local static key.");
                output.AddRange(_symmetric.EncryptAndHash(_localStatic.PublicKey));
                return true;
            default:
                return TryMixAgreement(token);
        }
    }

    private bool TryReadToken(HandshakeToken token, ref ReadOnlySpan<byte> remaining)
    {
        switch (token)
        {
            case HandshakeToken.E:
                if (remaining.Length < X25519.KeyLength)
                    return false;
                _remoteEphemeral = remaining[..X25519.KeyLength].ToArray();
                remaining = remaining[X25519.KeyLength..];
                _symmetric.MixHash(_remoteEphemeral);
                return true;
            case HandshakeToken.S:
                var length = X25519.KeyLength + (_symmetric.HasKey ? ChaChaPoly.TagLength : 0);
                if (remaining.Length < length)
                    return false;
                if (!_symmetric.TryDecryptAndHash(remaining[..length], out var remoteStatic))
                    return false;
                _remoteStatic = remoteStatic;
                remaining = remaining[length..];
                return true;
            default:
                return TryMixAgreement(token);
        }
    }

    /// <summary>
    /// "es" means the initiator's ephemeral with the responder's static, whichever side computes it,
    /// so each side picks its own half and the peer's other half.
    /// </summary>
    private bool TryMixAgreement(HandshakeToken token)
    {
        var (localKey, remoteKey) = token switch
        {
            HandshakeToken.EE => (_localEphemeral, _remoteEphemeral),
            HandshakeToken.SS => (_localStatic, _remoteStatic),
            HandshakeToken.ES => IsInitiator ? (_localEphemeral, _remoteStatic) : (_localStatic, _remoteEphemeral),
            HandshakeToken.SE => IsInitiator ? (_localStatic, _remoteEphemeral) : (_localEphemeral, _remoteStatic),
            _ => throw new ArgumentOutOfRangeException(nameof(token)),
        };
        if (localKey is null || remoteKey is null)
            return false;
        if (!X25519.TryAgree(localKey.PrivateKey, remoteKey, out var sharedSecret))
            return false;
        _symmetric.MixKey(sharedSecret);
        return true;
    }

    private bool Fail()
    {
        _failed = true;
        return false;
    }
}
