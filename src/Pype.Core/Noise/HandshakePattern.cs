namespace Pype.Core.Noise;

public enum HandshakeToken
{
    E,
    S,
    EE,
    ES,
    SE,
    SS,
}

/// <summary>A Noise handshake pattern: pre-messages and the token lists of each handshake message.</summary>
public sealed class HandshakePattern
{
    private const string PreMessageSeparator = "...";
    private const string InitiatorArrow = "->";
    private const string ResponderArrow = "<-";

    /// <summary>The one-way and interactive fundamental patterns of the spec (rev 34, sections 7.4 and 7.5).</summary>
    private static readonly Dictionary<string, string> Definitions = new(StringComparer.Ordinal)
    {
        ["N"] = "<- s ... -> e, es",
        ["K"] = "-> s; <- s ... -> e, es, ss",
        ["X"] = "<- s ... -> e, es, s, ss",
        ["NN"] = "-> e; <- e, ee",
        ["NK"] = "<- s ... -> e, es; <- e, ee",
        ["NX"] = "-> e; <- e, ee, s, es",
        ["XN"] = "-> e; <- e, ee; -> s, se",
        ["XK"] = "<- s ... -> e, es; <- e, ee; -> s, se",
        ["XX"] = "-> e; <- e, ee, s, es; -> s, se",
        ["KN"] = "-> s ... -> e; <- e, ee, se",
        ["KK"] = "-> s; <- s ... -> e, es, ss; <- e, ee, se",
        ["KX"] = "-> s ... -> e; <- e, ee, se, s, es",
        ["IN"] = "-> e, s; <- e, ee, se",
        ["IK"] = "<- s ... -> e, es, s, ss; <- e, ee, se",
        ["IX"] = "-> e, s; <- e, ee, se, s, es",
    };

    private HandshakePattern(
        string name,
        IReadOnlyList<HandshakeToken> initiatorPreMessage,
        IReadOnlyList<HandshakeToken> responderPreMessage,
        IReadOnlyList<IReadOnlyList<HandshakeToken>> messages)
    {
        Name = name;
        InitiatorPreMessage = initiatorPreMessage;
        ResponderPreMessage = responderPreMessage;
        Messages = messages;
    }

    public static IReadOnlyCollection<string> SupportedNames => Definitions.Keys;

    public static HandshakePattern IK { get; } = Parse("IK", Definitions["IK"]);

    public string Name { get; }

    public IReadOnlyList<HandshakeToken> InitiatorPreMessage { get; }

    public IReadOnlyList<HandshakeToken> ResponderPreMessage { get; }

    /// <summary>Even indices are written by the initiator, odd ones by the responder.</summary>
    public IReadOnlyList<IReadOnlyList<HandshakeToken>> Messages { get; }

    public bool IsOneWay => Messages.Count == 1;

    public static bool TryGet(string name, out HandshakePattern pattern)
    {
        pattern = null!;
        if (!Definitions.TryGetValue(name, out var definition))
            return false;
        pattern = Parse(name, definition);
        return true;
    }

    private static HandshakePattern Parse(string name, string definition)
    {
        var separator = definition.IndexOf(PreMessageSeparator, StringComparison.Ordinal);
        var preMessages = separator < 0 ? "" : definition[..separator];
        var messages = separator < 0 ? definition : definition[(separator + PreMessageSeparator.Length)..];

        var initiatorPre = new List<HandshakeToken>();
        var responderPre = new List<HandshakeToken>();
        foreach (var (fromInitiator, tokens) in ParseLines(preMessages))
            (fromInitiator ? initiatorPre : responderPre).AddRange(tokens);

        var parsedMessages = ParseLines(messages).Select(line => (IReadOnlyList<HandshakeToken>)line.Tokens).ToList();
        return new HandshakePattern(name, initiatorPre, responderPre, parsedMessages);
    }

    private static IEnumerable<(bool FromInitiator, List<HandshakeToken> Tokens)> ParseLines(string lines)
    {
        foreach (var rawLine in lines.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fromInitiator = rawLine.StartsWith(InitiatorArrow, StringComparison.Ordinal);
            if (!fromInitiator && !rawLine.StartsWith(ResponderArrow, StringComparison.Ordinal))
                throw new FormatException($"A message line must start with an arrow: '{rawLine}'.");
            var tokens = rawLine[InitiatorArrow.Length..]
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseToken)
                .ToList();
            yield return (fromInitiator, tokens);
        }
    }

    private static HandshakeToken ParseToken(string token) => token switch
    {
        "e" => HandshakeToken.E,
        "s" => HandshakeToken.S,
        "ee" => HandshakeToken.EE,
        "es" => HandshakeToken.ES,
        "se" => HandshakeToken.SE,
        "ss" => HandshakeToken.SS,
        _ => throw new FormatException($"Unknown handshake token '{token}'."),
    };
}
