using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Reminders;
using static Chiyoda.Civic.Tests.Proposals.ProposalApiSamples;

namespace Chiyoda.Civic.Tests.Reminders;

/// <summary>
/// Reminders through the running platform with email on: opting in and out through the API (with its refusals), and the
/// email's stop link used without any sign-in: GET shows a confirmation and changes nothing, the form's POST stops, and
/// a mail system's one-click POST (RFC 8058) stops too.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ReminderPlatformTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_resident_opts_in_and_the_stop_link_works_without_sign_in_by_form_and_by_one_click()
    {
        await using var smtp = SmtpReceiver.Start();
        // The spare port is a web origin the provider knows, so a person can sign in there.
        var port = platform.SpareWebPort;
        var web = new Uri($"http://localhost:{port}/");
        var process = await platform.StartWebWithEmailAsync(smtp, "civic-remind-web-");
        try
        {
            using var admin = await platform.ApiClientAsync("admin", web);
            var roundId = await OpenRoundAsync(admin);
            var reminders = $"/api/v1/rounds/{roundId}/reminders";

            // Voting closes at midnight ward time: every page writes it as 24:00 of the day before (one formatter, WardDateText).
            var now = DateTimeOffset.UtcNow;
            var midnight = new DateTimeOffset(now.ToOffset(TimeSpan.FromHours(9)).Date.AddDays(31), TimeSpan.FromHours(9));
            await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}", RoundBody(now.AddDays(2), now.AddDays(3), votingCloses: midnight)), 200);
            var closeText = WardDateText.End(midnight, english: false);
            var dayBefore = midnight.AddDays(-1);
            Assert.Equal($"{dayBefore.Year}年{dayBefore.Month}月{dayBefore.Day}日", closeText[..closeText.IndexOf('(', StringComparison.Ordinal)]);
            Assert.EndsWith(" 24:00", closeText, StringComparison.Ordinal);

            // A token with the email scope: the API records the address, then opts in (in English here).
            using var resident = new HttpClient { BaseAddress = web };
            resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenWithEmailAsync("resident-45"));
            var optedIn = await HttpAssertions.JsonAsync(await resident.PutAsJsonAsync(reminders, new { language = "en" }), 200);
            Assert.True(optedIn.GetProperty("optedIn").GetBoolean());
            var status = await HttpAssertions.JsonAsync(await resident.GetAsync(reminders), 200);
            Assert.True(status.GetProperty("optedIn").GetBoolean());
            var stopUrl = status.GetProperty("unsubscribeUrl").GetString()!;
            Assert.StartsWith($"/reminders/unsubscribe?round={roundId}&token=", stopUrl, StringComparison.Ordinal);

            // Refusals, each with its code.
            await HttpAssertions.ProblemAsync(await resident.PutAsJsonAsync(reminders, new { language = "fr" }), 400, ReminderErrorCodes.InvalidLanguage);
            await HttpAssertions.ProblemAsync(await resident.PutAsJsonAsync("/api/v1/rounds/no-such-round/reminders", new { }), 404, ReminderErrorCodes.RoundNotFound);
            using var noAddress = await platform.ApiClientAsync("resident-18", web);
            await HttpAssertions.ProblemAsync(await noAddress.PutAsJsonAsync(reminders, new { }), 409, ReminderErrorCodes.NoEmail);
            using var anonymousApi = new HttpClient { BaseAddress = web };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousApi.PutAsJsonAsync(reminders, new { })).StatusCode);

            // The stop link, with no sign-in at all: GET lands on the confirmation page and stops nothing.
            using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = web };
            using var opened = await anonymous.GetAsync(stopUrl);
            Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
            var confirmUrl = opened.Headers.Location!.OriginalString;
            Assert.StartsWith("/reminders/stop?", confirmUrl, StringComparison.Ordinal);
            var confirm = await anonymous.GetStringAsync(confirmUrl);
            Assert.Contains("配信を止めますか", confirm, StringComparison.Ordinal);
            Assert.Contains("action=\"/reminders/unsubscribe\"", confirm, StringComparison.Ordinal);
            Assert.True((await HttpAssertions.JsonAsync(await resident.GetAsync(reminders), 200)).GetProperty("optedIn").GetBoolean());

            // The page's form posts the round and token: stopped, and the page says so.
            var query = System.Web.HttpUtility.ParseQueryString(new Uri(web, stopUrl).Query);
            using var posted = await anonymous.PostAsync("/reminders/unsubscribe",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["round"] = query["round"]!, ["token"] = query["token"]! }));
            Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
            var done = await anonymous.GetStringAsync(posted.Headers.Location!.OriginalString);
            Assert.Contains("配信を止めました", done, StringComparison.Ordinal);
            Assert.False((await HttpAssertions.JsonAsync(await resident.GetAsync(reminders), 200)).GetProperty("optedIn").GetBoolean());

            // The same link again (or a forged one of the right shape) stops nothing, and the page does not claim it did.
            using var second = await anonymous.PostAsync("/reminders/unsubscribe",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["round"] = query["round"]!, ["token"] = query["token"]! }));
            var nothing = await anonymous.GetStringAsync(second.Headers.Location!.OriginalString);
            Assert.Contains("リマインダーメールはありません", nothing, StringComparison.Ordinal);
            Assert.Contains("すでに止めています", nothing, StringComparison.Ordinal);
            Assert.DoesNotContain("配信を止めました", nothing, StringComparison.Ordinal);
            // A forged token of the right shape and shard, even with "done", is a link that cannot be used, not a stop.
            var forged = UnsubscribeTokens.New(UnsubscribeTokens.ShardOf(query["token"])!.Value);
            var forgedDone = await anonymous.GetStringAsync($"/reminders/stop?round={roundId}&token={forged}&done=1");
            Assert.Contains("このリンクは使えません", forgedDone, StringComparison.Ordinal);
            Assert.DoesNotContain("配信を止めました", forgedDone, StringComparison.Ordinal);
            // Opened again from the email, the used link says so at once: no question, no button.
            var reopened = await anonymous.GetStringAsync(confirmUrl);
            Assert.Contains("リマインダーメールはありません", reopened, StringComparison.Ordinal);
            Assert.DoesNotContain("配信を止めますか", reopened, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/reminders/unsubscribe\"", reopened, StringComparison.Ordinal);

            // Opted in again (a new link); a mail system's one-click POST to the link itself stops it too.
            await HttpAssertions.JsonAsync(await resident.PutAsJsonAsync(reminders, new { }), 200);
            var again = (await HttpAssertions.JsonAsync(await resident.GetAsync(reminders), 200)).GetProperty("unsubscribeUrl").GetString()!;
            Assert.NotEqual(stopUrl, again);
            // The first email's link, even with "done", now says it is an old link: the reminders are on again.
            var old = await anonymous.GetStringAsync(confirmUrl + "&done=1");
            Assert.Contains("このリンクは古いリンクです", old, StringComparison.Ordinal);
            Assert.DoesNotContain("配信を止めました", old, StringComparison.Ordinal);
            using var oneClick = await anonymous.PostAsync(again,
                new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
            Assert.False((await HttpAssertions.JsonAsync(await resident.GetAsync(reminders), 200)).GetProperty("optedIn").GetBoolean());

            // Opted out on the site: the email's link is spent too, and says the reminders were already stopped.
            await HttpAssertions.JsonAsync(await resident.PutAsJsonAsync(reminders, new { }), 200);
            var third = (await HttpAssertions.JsonAsync(await resident.GetAsync(reminders), 200)).GetProperty("unsubscribeUrl").GetString()!;
            Assert.True((await resident.DeleteAsync(reminders)).IsSuccessStatusCode);
            using var thirdOpened = await anonymous.GetAsync(third);
            var thirdPage = await anonymous.GetStringAsync(thirdOpened.Headers.Location!.OriginalString);
            Assert.Contains("すでに止めています", thirdPage, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/reminders/unsubscribe\"", thirdPage, StringComparison.Ordinal);

            // A made-up or damaged link is refused with its code, and its page says the link cannot be used.
            await HttpAssertions.ProblemAsync(await anonymous.PostAsync($"/reminders/unsubscribe?round={roundId}&token=not-a-token",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" })), 400, ReminderErrorCodes.TokenInvalid);
            var invalid = await anonymous.GetStringAsync($"/reminders/stop?round={roundId}&token=not-a-token");
            Assert.Contains("このリンクは使えません", invalid, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/reminders/unsubscribe\"", invalid, StringComparison.Ordinal);

            // The round's public page offers reminders; the opt-in page itself asks for sign-in.
            var roundPage = await anonymous.GetStringAsync($"/rounds/{roundId}");
            Assert.Contains($"/rounds/{roundId}/reminders", roundPage, StringComparison.Ordinal);
            Assert.Contains(closeText, roundPage, StringComparison.Ordinal);
            using var page = await anonymous.GetAsync($"/rounds/{roundId}/reminders");
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);

            // On the site: resident-80 signs in (the address comes from the sign-in) and opts in with the page's form.
            using var session = new BrowserlessSession();
            var path = $"/rounds/{roundId}/reminders";
            var (signedIn, at) = await session.SignInAsync(web, "resident-80", PlatformFixture.DevelopmentPassword, path);
            var before = await signedIn.Content.ReadAsStringAsync();
            Assert.True(signedIn.StatusCode == HttpStatusCode.OK && at.AbsolutePath == path, $"after sign-in: {(int)signedIn.StatusCode} at {at}");
            Assert.Contains("リマインダーメールは受け取らない設定です。", before, StringComparison.Ordinal);
            // A published round's page says every reminder has passed, with no button that could only be refused.
            var (publishedResponse, _) = await session.SendAsync(HttpMethod.Get, new Uri(web, "/rounds/demo-2024-results/reminders"));
            var published = await publishedResponse.Content.ReadAsStringAsync();
            Assert.Contains("data-testid=\"reminders-finished\"", published, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"reminders-button\"", published, StringComparison.Ordinal);
            var (afterResponse, _) = await session.SendAsync(HttpMethod.Post, new Uri(web, path), new FormUrlEncodedContent(RemindersForm(before)));
            var after = await afterResponse.Content.ReadAsStringAsync();
            Assert.True(afterResponse.StatusCode == HttpStatusCode.OK, $"opt-in form: {(int)afterResponse.StatusCode}\n{after}");
            Assert.Contains("リマインダーメールを受け取る設定です。", after, StringComparison.Ordinal);
            using var resident80 = await platform.ApiClientAsync("resident-80", web);
            Assert.True((await HttpAssertions.JsonAsync(await resident80.GetAsync(reminders), 200)).GetProperty("optedIn").GetBoolean());

            // And off again with the same form.
            var (offResponse, _) = await session.SendAsync(HttpMethod.Post, new Uri(web, path), new FormUrlEncodedContent(RemindersForm(after)));
            Assert.Contains("リマインダーメールは受け取らない設定です。", await offResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False((await HttpAssertions.JsonAsync(await resident80.GetAsync(reminders), 200)).GetProperty("optedIn").GetBoolean());

            // The account page (linked from the header menu) lists the rounds one gets reminders for, each with its stop button.
            await HttpAssertions.JsonAsync(await resident80.PutAsJsonAsync(reminders, new { language = "ja" }), 200);
            var (accountResponse, _) = await session.SendAsync(HttpMethod.Get, new Uri(web, "/account/reminders"));
            var account = await accountResponse.Content.ReadAsStringAsync();
            Assert.Contains("href=\"/account/reminders\"", account, StringComparison.Ordinal);
            Assert.Contains($"data-round=\"{roundId}\"", account, StringComparison.Ordinal);
            // The close as the round page writes it (「3月1日 24:00」), never as the next day's 00:00.
            var period = System.Text.RegularExpressions.Regex.Match(account, $"data-round=\"{roundId}\"[\\s\\S]*?data-testid=\"my-reminder-period\">([^<]*)<").Groups[1].Value;
            Assert.Contains(closeText, WebUtility.HtmlDecode(period), StringComparison.Ordinal);
            Assert.DoesNotContain($"{midnight.Year}年{midnight.Month}月{midnight.Day}日", WebUtility.HtmlDecode(period), StringComparison.Ordinal);
            var (stoppedResponse, _) = await session.SendAsync(HttpMethod.Post, new Uri(web, "/account/reminders"),
                new FormUrlEncodedContent(RemindersForm(account, $"stop-{roundId}")));
            var stopped = await stoppedResponse.Content.ReadAsStringAsync();
            Assert.True(stoppedResponse.StatusCode == HttpStatusCode.OK, $"stop form: {(int)stoppedResponse.StatusCode}\n{stopped}");
            Assert.Contains("data-testid=\"my-reminders-stopped\"", stopped, StringComparison.Ordinal);
            Assert.DoesNotContain($"data-round=\"{roundId}\"", stopped, StringComparison.Ordinal);
            Assert.False((await HttpAssertions.JsonAsync(await resident80.GetAsync(reminders), 200)).GetProperty("optedIn").GetBoolean());

            // Every opt-in was confirmed by email, in the language asked for, with that opt-in's own stop link; nothing else was sent.
            var confirmations = await smtp.WaitForAsync(r => r.Count == 5);
            Assert.All(confirmations, m => Assert.Equal($"{roundId}:opted-in", m.Message.Headers["X-Civic-Reminder"]));
            var to45 = confirmations.Where(m => m.To.Single() == "resident-45@example.jp").ToList();
            Assert.Equal(3, to45.Count);
            Assert.StartsWith("Reminders are on:", to45[0].Message.Subject, StringComparison.Ordinal);
            Assert.Contains(stopUrl, to45[0].Text, StringComparison.Ordinal);
            Assert.Contains(again, to45[1].Text, StringComparison.Ordinal);
            Assert.Contains(third, to45[2].Text, StringComparison.Ordinal);
            var to80 = confirmations.Where(m => m.To.Single() == "resident-80@example.jp").ToList();
            Assert.Equal(2, to80.Count);
            Assert.All(to80, m => Assert.StartsWith("リマインダーメールの登録を受け付けました", m.Message.Subject, StringComparison.Ordinal));
        }
        finally
        {
            process.Kill();
            await process.DisposeAsync();
        }
    }

    /// <summary>The hidden fields of the page's reminders form (its handler name, antiforgery token and choice), as a browser posts them.</summary>
    private static Dictionary<string, string> RemindersForm(string html, string handler = "reminders")
    {
        var start = html.IndexOf($"value=\"{handler}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "no reminders form on the page:\n" + html);
        var form = html[html.LastIndexOf("<form", start, StringComparison.Ordinal)..html.IndexOf("</form>", start, StringComparison.Ordinal)];
        return System.Text.RegularExpressions.Regex.Matches(form, "<input[^>]*type=\"hidden\"[^>]*>").ToDictionary(
            m => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(m.Value, "name=\"([^\"]*)\"").Groups[1].Value),
            m => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(m.Value, "value=\"([^\"]*)\"").Groups[1].Value));
    }

    private async Task<string> TokenWithEmailAsync(string account)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(platform.IdentityProvider, "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "civic-scripts",
            ["username"] = account,
            ["password"] = PlatformFixture.DevelopmentPassword,
            ["scope"] = "openid email civic-api",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }
}
