using System.Globalization;
using System.Reflection;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Chiyoda.Civic.Client;

/// <summary>
/// The hand-written edge of the generated <see cref="CivicApiClient"/> (Kiota, from docs/api/openapi-v1.json): a client
/// over an <see cref="HttpClient"/> that already carries its base address and any bearer token, and the wording of a
/// refusal (status and problem-details <c>code</c>) for callers' messages.
/// </summary>
public static class CivicApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>A client sending through <paramref name="http"/> (its base address, timeout and default headers, e.g. Authorization).</summary>
    public static CivicApiClient For(HttpClient http)
    {
        var address = http.BaseAddress ?? throw new ArgumentException("The HTTP client has no base address.", nameof(http));
        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = address.GetLeftPart(UriPartial.Authority),
        };
        return new CivicApiClient(adapter);
    }

    /// <summary>The HTTP status of a refusal the client threw.</summary>
    public static int Status(ApiException refusal) => refusal.ResponseStatusCode;

    /// <summary>The refusal's problem-details <c>code</c>, when the document described it for that status.</summary>
    public static string? Code(ApiException refusal) => Text(refusal, "Code");

    /// <summary>"409 round-exists: The round exists already." (status, code, title, detail: what the API said).</summary>
    public static string Describe(ApiException refusal)
    {
        var parts = new[] { Code(refusal), Text(refusal, "Title"), Text(refusal, "Detail") }.Where(p => !string.IsNullOrEmpty(p));
        return $"{refusal.ResponseStatusCode.ToString(CultureInfo.InvariantCulture)} {string.Join(": ", parts)}".TrimEnd();
    }

    /// <summary>
    /// Runs <paramref name="call"/>; a refusal becomes an <see cref="InvalidOperationException"/> that names
    /// <paramref name="what"/> and what the API said.
    /// </summary>
    public static async Task<T> Expect<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiException refusal)
        {
            throw new InvalidOperationException($"{what}: {Describe(refusal)}", refusal);
        }
    }

    /// <summary>
    /// As <see cref="Expect{T}"/>, sending again on 503 ("nothing was changed; try again shortly"), as a client should
    /// while a silo is replaced; only for calls whose repeat is safe (set, not add; or carrying their own id).
    /// </summary>
    public static async Task<T> ExpectRetrying<T>(string what, Func<Task<T>> call, int attempts = 8)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (ApiException refusal) when (refusal.ResponseStatusCode == 503 && attempt < attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            catch (ApiException refusal)
            {
                throw new InvalidOperationException($"{what}: {Describe(refusal)}", refusal);
            }
        }
    }

    /// <summary>
    /// Each operation's refusals are their own generated types (the codes differ per operation), all with the problem
    /// details' properties; an enum code is written as the API sends it.
    /// </summary>
    private static string? Text(ApiException refusal, string property)
    {
        var value = refusal.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(refusal);
        if (value is Enum member)
        {
            var name = member.ToString();
            return member.GetType().GetField(name)?.GetCustomAttribute<System.Runtime.Serialization.EnumMemberAttribute>()?.Value ?? name;
        }

        return value?.ToString();
    }
}
