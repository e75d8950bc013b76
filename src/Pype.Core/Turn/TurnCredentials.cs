namespace Pype.Core.Turn;

/// <summary>
/// A TURN long-term credential (RFC 8489 §9.2). The MESSAGE-INTEGRITY key also needs the realm,
/// which the server announces in its first 401, so the key is derived by the client, not here.
/// </summary>
public sealed record TurnCredentials(string Username, string Password)
{
    /// <summary>Keeps the password out of logs and test output.</summary>
    public override string ToString() => $"TurnCredentials {{ Username = {Username} }}";
}
