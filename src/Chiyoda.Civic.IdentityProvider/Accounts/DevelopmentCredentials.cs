using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.IdentityProvider.Accounts;

/// <summary>The one credential check shared by the login page and the password grant.</summary>
public static class DevelopmentCredentials
{
    public static bool TryAuthenticate(
        string? accountName,
        string? password,
        string expectedPassword,
        DateOnly todayInTokyo,
        [MaybeNullWhen(false)] out DevelopmentAccount account)
    {
        account = null;
        if (string.IsNullOrEmpty(accountName) || password is null)
        {
            return false;
        }

        // Constant-time even in development: the habit is cheap and this code gets copied.
        var passwordMatches = CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(expectedPassword));

        return DevelopmentAccounts.TryFind(accountName, todayInTokyo, out account) && passwordMatches;
    }
}
