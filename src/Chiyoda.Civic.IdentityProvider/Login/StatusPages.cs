using static Chiyoda.Civic.IdentityProvider.Login.HtmlPage;

namespace Chiyoda.Civic.IdentityProvider.Login;

/// <summary>The small pages that are not the login form: landing page and "signed out".</summary>
internal static class StatusPages
{
    public static string Home(string? signedInName)
    {
        var status = signedInName is null
            ? Bilingual("サインインしていません。", "You are not signed in.")
            : Bilingual($"{signedInName} としてサインインしています。", $"Signed in as {signedInName}.");
        return Render("開発用IDプロバイダー", "Development identity provider",
            "<h1>" + Bilingual("開発用IDプロバイダー", "Development identity provider") + "</h1>\n" +
            "<p>" + status + "</p>\n" +
            "<p><a href=\"/.well-known/openid-configuration\">" +
            Bilingual("OpenID Connect 設定", "OpenID Connect discovery document") + "</a></p>\n");
    }

    public static string SignedOut() =>
        Render("サインアウト", "Signed out",
            "<h1>" + Bilingual("サインアウトしました", "You have signed out") + "</h1>\n" +
            "<p>" + Bilingual("開発用IDプロバイダーからサインアウトしました。", "You are signed out of the development identity provider.") + "</p>\n");
}
