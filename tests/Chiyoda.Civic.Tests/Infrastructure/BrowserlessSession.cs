using System.Net;
using System.Text.RegularExpressions;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// An HTTP client that behaves like a browser for the sign-in dance: it follows redirects itself and
/// keeps cookies per host, including Secure ones on http://localhost (as browsers do), which
/// HttpClient's own cookie container would not send.
/// </summary>
public sealed partial class BrowserlessSession : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    public List<Uri> Visited { get; } = [];

    public List<string> SetCookieHeaders { get; } = [];

    /// <summary>Sends a request and follows redirects; returns the final response and its address.</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> SendAsync(HttpMethod method, Uri url, HttpContent? content = null)
    {
        for (var hop = 0; hop < 15; hop++)
        {
            Visited.Add(url);
            using var request = new HttpRequestMessage(method, url) { Content = content };
            if (_cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await _http.SendAsync(request);
            Keep(response);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                method = HttpMethod.Get;
                content = null;
                response.Dispose();
                continue;
            }

            return (response, url);
        }

        throw new InvalidOperationException("Too many redirects: " + string.Join(" -> ", Visited));
    }

    /// <summary>Goes through the provider's sign-in page as a person would: open it, fill in the form, submit.</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> SignInAsync(Uri web, string account, string password, string returnUrl = "/")
    {
        var (loginPage, loginUrl) = await SendAsync(HttpMethod.Get, new Uri(web, "/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        var html = await loginPage.Content.ReadAsStringAsync();
        Assert.True(loginPage.StatusCode == HttpStatusCode.OK, $"login page: {(int)loginPage.StatusCode} at {loginUrl}\n{html}");
        var form = FormPattern().Match(html);
        Assert.True(form.Success, "no sign-in form on " + loginUrl + "\n" + html);
        var action = WebUtility.HtmlDecode(form.Groups["action"].Value);
        var fields = HiddenInputPattern().Matches(html).ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["username"] = account;
        fields["password"] = password;
        var target = string.IsNullOrEmpty(action) ? loginUrl : new Uri(loginUrl, action);
        return await SendAsync(HttpMethod.Post, target, new FormUrlEncodedContent(fields));
    }

    public void Dispose() => _http.Dispose();

    private void Keep(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var header in values)
        {
            SetCookieHeaders.Add(header);
            var pair = header.Split(';', 2)[0];
            var equals = pair.IndexOf('=');
            var (name, value) = (pair[..equals].Trim(), pair[(equals + 1)..].Trim());
            var expired = header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase) || header.Contains("max-age=0", StringComparison.OrdinalIgnoreCase);
            if (expired || value.Length == 0)
            {
                _cookies.Remove(name);
            }
            else
            {
                _cookies[name] = value;
            }
        }
    }

    [GeneratedRegex("""<form[^>]*?(?:action="(?<action>[^"]*)")?[^>]*method="post"[^>]*>|<form[^>]*method="post"[^>]*?(?:action="(?<action>[^"]*)")?[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*name="(?<name>[^"]+)"[^>]*value="(?<value>[^"]*)"[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInputPattern();
}
