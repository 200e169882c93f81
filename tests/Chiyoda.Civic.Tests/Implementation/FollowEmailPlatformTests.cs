using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Implementation;

namespace Chiyoda.Civic.Tests.Implementation;

/// <summary>
/// Following a proposal, by email, through the running platform with email on: each follower's notice email carries a link
/// that stops following that proposal without signing in (in the text and as List-Unsubscribe one-click); the proposer's email
/// says they get it as the proposer and has no such link, even when they follow too. Opened with no cookie, the link's page
/// stops following; a wrong token changes nothing and says so; a second use is harmless.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class FollowEmailPlatformTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_followers_email_stops_following_without_sign_in_and_the_proposer_is_told_as_proposer()
    {
        await using var smtp = SmtpReceiver.Start();
        var web = new Uri($"http://localhost:{platform.SpareWebPort}/");
        var process = await platform.StartWebWithEmailAsync(smtp, "civic-follow-web-");
        try
        {
            using var admin = await platform.ApiClientAsync("admin", web);
            var roundId = await ImplementationApiTests.PublishedRoundAsync(platform, admin, web);
            var follow = $"/api/v1/rounds/{roundId}/proposals/p-001/follow";
            var record = $"/api/v1/rounds/{roundId}/proposals/p-001/implementation";

            // Two residents and the proposer (p-001 is proposer-1's) follow with tokens that carry their address.
            using var follower = await WithEmailAsync("resident-45", web);
            using var other = await WithEmailAsync("resident-80", web);
            using var proposer = await WithEmailAsync($"voter:{roundId}-proposer-1", web);
            foreach (var client in new[] { follower, other, proposer })
            {
                Assert.True((await HttpAssertions.JsonAsync(await client.PutAsync(follow, null), 200)).GetProperty("following").GetBoolean());
            }

            var adoptedOn = (await HttpAssertions.JsonAsync(await admin.GetAsync(record), 200)).GetProperty("adoptedOn").GetString()!;
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{record}/status", new
            {
                requestId = "s1", status = "budget-consideration", date = adoptedOn, note = "予算化を検討します。", noteEn = "Budgeting is being considered.",
                department = "政策経営部 DX戦略課",
            }), 200);

            var stepNotice = $"implementation:{roundId}:p-001:1";
            var received = await smtp.WaitForAsync(r => r.Count(m => m.NoticeId == stepNotice) >= 3);
            var toFollower = Assert.Single(received, m => m.NoticeId == stepNotice && m.To.Contains("resident-45@example.jp"));
            var toOther = Assert.Single(received, m => m.NoticeId == stepNotice && m.To.Contains("resident-80@example.jp"));
            var toProposer = Assert.Single(received, m => m.NoticeId == stepNotice && m.To.Contains($"voter-{roundId}-proposer-1@example.jp"));

            // The follower's email: why they get it, and their own stop link in the text and as one-click List-Unsubscribe.
            var link = Regex.Match(toFollower.Text, $@"{Regex.Escape(web.ToString())}following/unsubscribe\?round={roundId}&proposal=p-001&token=([0-9a-f]{{32}})");
            Assert.True(link.Success, toFollower.Text);
            Assert.Contains("あなたがこの提案をフォローしているため、お送りしています。", toFollower.Text, StringComparison.Ordinal);
            Assert.Contains("You receive this because you follow this proposal.", toFollower.Text, StringComparison.Ordinal);
            Assert.Contains("配信の停止（サインインは不要です）: " + link.Value, toFollower.Text, StringComparison.Ordinal);
            Assert.Contains("Stop these emails (no sign-in needed): " + link.Value, toFollower.Text, StringComparison.Ordinal);
            Assert.Equal($"<{link.Value}>", toFollower.Message.Headers["List-Unsubscribe"]);
            Assert.Equal("List-Unsubscribe=One-Click", toFollower.Message.Headers["List-Unsubscribe-Post"]);
            // Each follower has a token of their own.
            var otherLink = Regex.Match(toOther.Text, @"following/unsubscribe\?[^\s]+").Value;
            Assert.NotEqual("", otherLink);
            Assert.DoesNotContain(link.Groups[1].Value, otherLink, StringComparison.Ordinal);

            // The proposer follows too, yet is told as the proposer: why, and no stop link (their own notices cannot be stopped so).
            Assert.Contains("あなたがこの提案の提案者のため、お送りしています。", toProposer.Text, StringComparison.Ordinal);
            Assert.Contains("You receive this because you made this proposal.", toProposer.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("following/unsubscribe", toProposer.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("フォローしているため", toProposer.Text, StringComparison.Ordinal);
            Assert.Null(toProposer.Message.Headers["List-Unsubscribe"]);

            // No cookie, no sign-in: the link lands on a confirmation page (a GET changes nothing: link scanners stop nobody).
            using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = web };
            using var opened = await anonymous.GetAsync(link.Value);
            Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
            var confirmUrl = opened.Headers.Location!.OriginalString;
            Assert.StartsWith("/following/stop?", confirmUrl, StringComparison.Ordinal);
            var confirm = await anonymous.GetStringAsync(confirmUrl);
            Assert.Contains("この提案のフォローをやめますか", confirm, StringComparison.Ordinal);
            Assert.Contains("提案 1", confirm, StringComparison.Ordinal);
            Assert.Contains("action=\"/following/unsubscribe\"", confirm, StringComparison.Ordinal);
            Assert.True(await FollowingAsync(follower, follow));

            // A wrong token of the right shape changes nothing, and the page says so.
            var wrong = FollowTokens.New();
            using var wrongPost = await anonymous.PostAsync("/following/unsubscribe", Form(roundId, wrong));
            Assert.Equal(HttpStatusCode.Redirect, wrongPost.StatusCode);
            var wrongPage = await anonymous.GetStringAsync(wrongPost.Headers.Location!.OriginalString);
            Assert.Contains("このリンクは使えません", wrongPage, StringComparison.Ordinal);
            Assert.DoesNotContain("フォローをやめました", wrongPage, StringComparison.Ordinal);
            Assert.DoesNotContain("すでにやめています", wrongPage, StringComparison.Ordinal);
            // Nor does a made-up "done" address carrying a token never issued (it was read as "stopped" before spent links were remembered).
            var madeUpDone = await anonymous.GetStringAsync($"/following/stop?round={roundId}&proposal=p-001&token={wrong}&done=1");
            Assert.Contains("このリンクは使えません", madeUpDone, StringComparison.Ordinal);
            Assert.DoesNotContain("フォローをやめました", madeUpDone, StringComparison.Ordinal);
            Assert.True(await FollowingAsync(follower, follow));
            Assert.True(await FollowingAsync(other, follow));
            // A damaged token is refused with its code, and its page says the link cannot be used.
            await HttpAssertions.ProblemAsync(await anonymous.PostAsync("/following/unsubscribe", Form(roundId, "not-a-token")), 400, ImplementationErrorCodes.FollowTokenInvalid);
            var invalid = await anonymous.GetStringAsync($"/following/stop?round={roundId}&proposal=p-001&token=not-a-token");
            Assert.Contains("このリンクは使えません", invalid, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/following/unsubscribe\"", invalid, StringComparison.Ordinal);

            // The page's form: stopped, and the page says so (in English too). Only this follower stopped.
            using var posted = await anonymous.PostAsync("/following/unsubscribe", Form(roundId, link.Groups[1].Value));
            Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
            var donePath = posted.Headers.Location!.OriginalString;
            Assert.Contains("フォローをやめました", await anonymous.GetStringAsync(donePath), StringComparison.Ordinal);
            // A made-up "done" address without the link's token claims nothing.
            var madeUp = await anonymous.GetStringAsync($"/following/stop?round={roundId}&proposal=p-001&done=1");
            Assert.DoesNotContain("フォローをやめました", madeUp, StringComparison.Ordinal);
            Assert.Contains("このリンクは使えません", madeUp, StringComparison.Ordinal);
            using var english = new HttpRequestMessage(HttpMethod.Get, donePath);
            english.Headers.Add("Cookie", "__Host-civic-culture=c%3Den%7Cuic%3Den");
            using var englishPage = await anonymous.SendAsync(english);
            Assert.Contains("You no longer follow this proposal", await englishPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(await FollowingAsync(follower, follow));
            Assert.True(await FollowingAsync(other, follow));
            Assert.True(await FollowingAsync(proposer, follow));

            // A second use of the same link is harmless: nothing more changes, and the page does not claim it stopped anything.
            using var second = await anonymous.PostAsync("/following/unsubscribe", Form(roundId, link.Groups[1].Value));
            var secondPage = await anonymous.GetStringAsync(second.Headers.Location!.OriginalString);
            Assert.Contains("このリンクで届くお知らせはありません", secondPage, StringComparison.Ordinal);
            Assert.Contains("すでにやめています", secondPage, StringComparison.Ordinal);
            Assert.Contains("何も変更していません", secondPage, StringComparison.Ordinal);
            // Opened again from the email, the used link says so at once: no question, no button.
            var reopened = await anonymous.GetStringAsync(confirmUrl);
            Assert.Contains("このリンクで届くお知らせはありません", reopened, StringComparison.Ordinal);
            Assert.DoesNotContain("この提案のフォローをやめますか", reopened, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/following/unsubscribe\"", reopened, StringComparison.Ordinal);
            Assert.False(await FollowingAsync(follower, follow));
            Assert.True(await FollowingAsync(other, follow));

            // A mail system's one-click POST to the other follower's link stops that one too.
            using var oneClick = await anonymous.PostAsync(otherLink, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
            Assert.False(await FollowingAsync(other, follow));

            // The next step reaches only the proposer (as proposer); the two who stopped get nothing more.
            await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"{record}/status", new
            {
                requestId = "s2", status = "budget-debate", date = adoptedOn, note = "予算案を審議します。", department = "政策経営部 DX戦略課",
            }), 200);
            var next = $"implementation:{roundId}:p-001:2";
            await smtp.WaitForAsync(r => r.Any(m => m.NoticeId == next));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal([$"voter-{roundId}-proposer-1@example.jp"], smtp.Received.Where(m => m.NoticeId == next).SelectMany(m => m.To));
        }
        finally
        {
            process.Kill();
            await process.DisposeAsync();
        }
    }

    private static FormUrlEncodedContent Form(string roundId, string token) =>
        new(new Dictionary<string, string> { ["round"] = roundId, ["proposal"] = "p-001", ["token"] = token });

    private static async Task<bool> FollowingAsync(HttpClient client, string follow) =>
        (await HttpAssertions.JsonAsync(await client.GetAsync(follow), 200)).GetProperty("following").GetBoolean();

    /// <summary>An API client whose token carries the email scope, so following records the address (as signing in does).</summary>
    private async Task<HttpClient> WithEmailAsync(string account, Uri web)
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
        var client = new HttpClient { BaseAddress = web };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        return client;
    }
}
