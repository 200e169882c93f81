using System.Text;
using Chiyoda.Civic.IdentityProvider.Accounts;
using static Chiyoda.Civic.IdentityProvider.Login.HtmlPage;

namespace Chiyoda.Civic.IdentityProvider.Login;

/// <summary>What the login form needs to render; <see cref="ReturnUrl"/> is already known to be local.</summary>
internal sealed record LoginPageModel(
    string ReturnUrl,
    string? Username,
    LoginError Error,
    string AntiforgeryFieldName,
    string AntiforgeryToken,
    string DevelopmentPassword);

internal enum LoginError
{
    None,
    BadCredentials,
    ExpiredForm,
}

/// <summary>
/// The login page: server-rendered, no script, meant to pass axe WCAG 2.2 AA. It deliberately publishes the
/// accounts and the shared password: this provider only ever runs on a developer's machine or in tests.
/// </summary>
internal static class LoginPage
{
    public static string Render(LoginPageModel model)
    {
        var main = new StringBuilder();
        main.Append("<h1>").Append(Bilingual("サインイン (開発用IDプロバイダー)", "Sign in (development identity provider)")).Append("</h1>\n");

        var hasError = model.Error != LoginError.None;
        if (hasError)
        {
            // role="alert" so screen readers announce it after the round trip; the text, not colour, carries the meaning.
            main.Append("<div class=\"error\" role=\"alert\" id=\"login-error\"><p>");
            main.Append(model.Error == LoginError.ExpiredForm
                ? Bilingual("エラー: フォームの有効期限が切れました。もう一度サインインしてください。",
                    "Error: the form has expired. Please sign in again.")
                : Bilingual("エラー: アカウント名またはパスワードが正しくありません。",
                    "Error: the account name or password is incorrect."));
            main.Append("</p></div>\n");
        }

        main.Append("<p class=\"notice\">")
            .Append(Bilingual(
                "これは千代田区 市民参加プラットフォームの開発・テスト専用のIDプロバイダーです。本番では使用しません。",
                "This identity provider is for developing and testing the Chiyoda Civic platform only; it is never used in production."))
            .Append("</p>\n");

        var describedBy = hasError ? " aria-describedby=\"login-error\" aria-invalid=\"true\"" : string.Empty;
        main.Append("<form method=\"post\" action=\"").Append(Encode(Hosting.ProviderCookies.LoginPath)).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"").Append(Encode(model.AntiforgeryFieldName)).Append("\" value=\"").Append(Encode(model.AntiforgeryToken)).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(Encode(model.ReturnUrl)).Append("\">\n")
            .Append("<div class=\"field\"><label for=\"username\">").Append(Bilingual("アカウント名", "Account name")).Append("</label>\n")
            .Append("<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required")
            .Append(describedBy).Append(" value=\"").Append(Encode(model.Username)).Append("\"></div>\n")
            .Append("<div class=\"field\"><label for=\"password\">").Append(Bilingual("パスワード", "Password")).Append("</label>\n")
            .Append("<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required")
            .Append(describedBy).Append("></div>\n")
            .Append("<button type=\"submit\" id=\"sign-in\">サインイン <span lang=\"en\">/ Sign in</span></button>\n")
            .Append("</form>\n");

        main.Append("<h2>").Append(Bilingual("開発用アカウント", "Development accounts")).Append("</h2>\n")
            .Append("<p>").Append(Bilingual(
                $"すべてのアカウントのパスワードは「{model.DevelopmentPassword}」です。",
                $"Every account uses the password “{model.DevelopmentPassword}”.")).Append("</p>\n")
            .Append("<table>\n<caption>").Append(Bilingual("用意されたアカウント", "Seeded accounts")).Append("</caption>\n")
            .Append("<thead><tr><th scope=\"col\">").Append(Bilingual("アカウント名", "Account name"))
            .Append("</th><th scope=\"col\">").Append(Bilingual("氏名", "Name"))
            .Append("</th><th scope=\"col\">").Append(Bilingual("説明", "Description")).Append("</th></tr></thead>\n<tbody>\n");
        foreach (var account in DevelopmentAccounts.Descriptions)
        {
            main.Append("<tr><th scope=\"row\"><code>").Append(Encode(account.AccountName)).Append("</code></th><td>")
                .Append(Encode(account.Name)).Append("</td><td>")
                .Append(Bilingual(account.DescriptionJa, account.DescriptionEn)).Append("</td></tr>\n");
        }

        main.Append("</tbody>\n</table>\n")
            .Append("<p>").Append(Bilingual(
                "また「voter:キー」(キーは英数字・「_」・「-」で1～64文字、例: voter:12345) で、そのキーを持つ区民の投票者としてサインインできます。生年月日は含まれません。",
                "You can also sign in as “voter:<key>” (key: 1–64 letters, digits, “_” or “-”, e.g. voter:12345) to act as the resident voter with that key; no birthdate is included."))
            .Append("</p>\n");

        return HtmlPage.Render("サインイン", "Sign in", main.ToString());
    }
}
