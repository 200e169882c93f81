using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Which development identity provider signs people in to the platform at a web address. Fixtures record it
/// whenever they hand out an API client, so a set-up helper given only an administrator's client (the shortlist
/// through screening) can act as the residents and staff the real chain needs.
/// </summary>
public static class PlatformAccounts
{
    private static readonly ConcurrentDictionary<string, Uri> Providers = new();

    public static void Record(Uri web, Uri identityProvider) => Providers[Key(web)] = identityProvider;

    /// <summary>A factory of API clients for the platform <paramref name="client"/> talks to, each signed in as the named account.</summary>
    public static Func<string, Task<HttpClient>> Of(HttpClient client)
    {
        var web = client.BaseAddress ?? throw new InvalidOperationException("The client has no base address.");
        if (!Providers.TryGetValue(Key(web), out var identityProvider))
        {
            throw new InvalidOperationException($"No identity provider recorded for {web}: take the client from a fixture's ApiClientAsync.");
        }

        return async account =>
        {
            var signedIn = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromSeconds(60) };
            signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(identityProvider, account));
            return signedIn;
        };
    }

    /// <summary>
    /// Set-ups sign the same few accounts in for every round they build: a token is reused for 20 minutes
    /// (the development provider issues them for an hour), so a set-up costs no token requests after the first.
    /// </summary>
    private static async Task<string> TokenAsync(Uri identityProvider, string account)
    {
        var key = $"{identityProvider}|{account}";
        if (Tokens.TryGetValue(key, out var cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return cached.Token;
        }

        var token = await PlatformFixture.PasswordGrantTokenAsync(identityProvider, account);
        Tokens[key] = (token, DateTimeOffset.UtcNow.AddMinutes(20));
        return token;
    }

    private static readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> Tokens = new();

    private static string Key(Uri web) => web.GetLeftPart(UriPartial.Authority);
}
