using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pype.Core.Turn;

/// <summary>
/// Time-limited TURN credentials in the "TURN REST API" form that coturn checks with
/// <c>use-auth-secret</c>: the username is "expiry:id" (expiry in Unix seconds), the password is
/// base64(HMAC-SHA1(shared secret, username)). Whoever holds the secret (a seed) can mint them;
/// the TURN server verifies them without any per-user state and refuses them after the expiry.
/// </summary>
public static class TurnRestCredentials
{
    public const char Separator = ':';

    /// <exception cref="ArgumentException">The id contains the separator, or the secret is empty.</exception>
    public static TurnCredentials Create(string sharedSecret, DateTimeOffset expiry, string id)
    {
        if (string.IsNullOrEmpty(sharedSecret))
            throw new ArgumentException("The shared secret must not be empty.", nameof(sharedSecret));
        // Servers split the username at the separator to find the expiry; one separator keeps that unambiguous.
        if (id.Contains(Separator, StringComparison.Ordinal))
            throw new ArgumentException("The id must not contain ':'.", nameof(id));

        var username = expiry.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + Separator + id;
        return new TurnCredentials(username, PasswordFor(sharedSecret, username));
    }

    public static string PasswordFor(string sharedSecret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(sharedSecret), Encoding.UTF8.GetBytes(username)));
}
