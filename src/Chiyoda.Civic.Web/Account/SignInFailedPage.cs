namespace Chiyoda.Civic.Web.Account;

/// <summary>
/// What a person sees when the provider's answer to a sign-in cannot be used: an expired or replayed
/// callback, a tampered state, a cancelled sign-in. It is the caller's request that is wrong, so 400, and
/// a page that says what to do rather than an error. Plain HTML in both languages: it is written before
/// any page or language choice applies, and needs nothing that could fail again.
/// </summary>
public static class SignInFailedPage
{
    public const string Html = """
        <!DOCTYPE html>
        <html lang="ja">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>ログインできませんでした / Sign-in did not complete | 千代田区 デジタル活用提案制度</title>
        <style>body{font-family:system-ui,sans-serif;line-height:1.7;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}a{color:#0031d8}</style>
        </head>
        <body>
        <main>
        <h1>ログインできませんでした</h1>
        <p>ログインの手続きが途中で切れたか、期限が切れました。もう一度ログインしてください。</p>
        <p><a href="/account/login">もう一度ログインする</a> ・ <a href="/">トップページへ</a></p>
        <h2 lang="en">Sign-in did not complete</h2>
        <p lang="en">The sign-in was interrupted or has expired. Please sign in again.</p>
        <p lang="en"><a href="/account/login">Sign in again</a> · <a href="/">Home</a></p>
        </main>
        </body>
        </html>
        """;

    public static async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(Html, context.RequestAborted);
    }
}
