using System.Net;
using System.Text;

namespace Chiyoda.Civic.IdentityProvider.Login;

/// <summary>The shared HTML shell: Japanese first (<c>lang="ja"</c>), English marked <c>lang="en"</c>.</summary>
internal static class HtmlPage
{
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>Japanese text with its English translation underneath.</summary>
    public static string Bilingual(string japanese, string english) =>
        $"{Encode(japanese)}<span class=\"en\" lang=\"en\">{Encode(english)}</span>";

    public static string Render(string titleJa, string titleEn, string mainHtml)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"robots\" content=\"noindex\">\n")
            .Append("<title>").Append(Encode($"{titleJa} / {titleEn} | 千代田区 市民参加 (開発用)")).Append("</title>\n")
            .Append("<link rel=\"stylesheet\" href=\"").Append(IdpStylesheet.Path).Append("\">\n")
            .Append("</head>\n<body>\n<main>\n")
            .Append(mainHtml)
            .Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }
}
