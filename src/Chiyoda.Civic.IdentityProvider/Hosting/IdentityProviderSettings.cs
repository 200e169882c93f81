namespace Chiyoda.Civic.IdentityProvider.Hosting;

/// <summary>
/// Normalised settings from the <c>IdentityProvider</c> configuration section. Built once at start-up
/// so that every handler sees the same, already validated values.
/// </summary>
public sealed class IdentityProviderSettings
{
    public const string SectionName = "IdentityProvider";
    public const string DefaultIssuer = "http://localhost:5100/";
    public const string DefaultWebOrigin = "http://localhost:5000";
    public const string DefaultWebClientSecret = "civic-web-dev-secret";
    public const string DefaultPassword = "chiyoda";

    public required Uri Issuer { get; init; }

    /// <summary>Platform origins without a trailing slash, e.g. <c>http://localhost:5000</c>.</summary>
    public required IReadOnlyList<string> WebOrigins { get; init; }

    public required string WebClientSecret { get; init; }

    /// <summary>The single development password shared by every account.</summary>
    public required string Password { get; init; }

    public static IdentityProviderSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);

        // Read the list by hand: the binder appends to a pre-filled default list instead of replacing it.
        var origins = section.GetSection("WebOrigins").GetChildren()
            .Select(child => child.Value)
            .Where(value => !string.IsNullOrWhiteSpace(value))
            .Select(value => NormaliseOrigin(value!))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        var issuerText = section["Issuer"];
        if (string.IsNullOrWhiteSpace(issuerText))
        {
            issuerText = DefaultIssuer;
        }

        if (!Uri.TryCreate(issuerText, UriKind.Absolute, out var issuer))
        {
            throw new InvalidOperationException(
                $"{SectionName}:Issuer must be an absolute URL such as {DefaultIssuer}; got '{issuerText}'.");
        }

        return new IdentityProviderSettings
        {
            Issuer = issuer,
            WebOrigins = origins.Length > 0 ? origins : [DefaultWebOrigin],
            WebClientSecret = NonEmptyOr(section["WebClientSecret"], DefaultWebClientSecret),
            Password = NonEmptyOr(section["Password"], DefaultPassword),
        };
    }

    private static string NonEmptyOr(string? value, string fallback) =>
        string.IsNullOrEmpty(value) ? fallback : value;

    private static string NormaliseOrigin(string origin)
    {
        var trimmed = origin.Trim().TrimEnd('/');
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException(
                $"{SectionName}:WebOrigins entries must be absolute http(s) origins such as {DefaultWebOrigin}; got '{origin}'.");
        }

        return trimmed;
    }
}
