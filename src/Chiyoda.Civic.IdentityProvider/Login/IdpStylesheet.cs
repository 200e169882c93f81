namespace Chiyoda.Civic.IdentityProvider.Login;

/// <summary>
/// Served as /idp.css from code rather than wwwroot so the page looks the same when tests host the app from
/// another content root, and so the CSP can stay at style-src 'self' without nonces.
/// </summary>
internal static class IdpStylesheet
{
    public const string Path = "/idp.css";

    // Colours chosen for contrast on white: #1a1a1a (~17:1), #0b5394 (~7.5:1), #a40000 (~8:1).
    public const string Css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body {
          margin: 0;
          font-family: "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Yu Gothic", Meiryo, system-ui, sans-serif;
          line-height: 1.7;
          color: #1a1a1a;
          background: #ffffff;
        }
        main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
        h1 { font-size: 1.5rem; line-height: 1.4; margin: 0 0 1rem; }
        h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; }
        .en { display: block; font-size: 0.95em; color: #3d3d3d; }
        .notice { border: 2px solid #0b5394; padding: 0.75rem 1rem; margin: 0 0 1.5rem; }
        .error {
          border: 3px solid #a40000; background: #fff4f4; color: #a40000;
          padding: 0.75rem 1rem; margin: 0 0 1.5rem; font-weight: bold;
        }
        .field { margin: 0 0 1rem; }
        label { display: block; font-weight: bold; margin-bottom: 0.25rem; }
        input[type=text], input[type=password] {
          width: 100%; max-width: 24rem; min-height: 2.75rem; padding: 0.5rem;
          font-size: 1rem; color: #1a1a1a; background: #ffffff; border: 2px solid #595959; border-radius: 4px;
        }
        input[aria-invalid=true] { border-color: #a40000; }
        button {
          min-height: 2.75rem; min-width: 8rem; padding: 0.5rem 1.25rem; font-size: 1rem; font-weight: bold;
          color: #ffffff; background: #0b5394; border: 2px solid #0b5394; border-radius: 4px; cursor: pointer;
        }
        button:hover { background: #083d6d; }
        :focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
        a { color: #0b5394; }
        table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.5rem; }
        th, td { border: 1px solid #595959; padding: 0.4rem 0.5rem; text-align: left; vertical-align: top; }
        thead th { background: #eef3f8; }
        code { font-family: ui-monospace, "Cascadia Mono", Consolas, monospace; font-size: 0.95em; }
        """;
}
