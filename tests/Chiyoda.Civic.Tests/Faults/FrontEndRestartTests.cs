using System.Net;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chiyoda.Civic.Tests.Faults;

/// <summary>
/// Issue 7, "Web front end restarted mid-journey": a voter signed in on front end 0 has chosen and is
/// looking at the confirm step when front end 0 dies (SIGKILL) and is started again. Sending the confirm
/// form then either records the ballot (the sign-in cookie and the form's antiforgery token are still
/// good: the key ring is shared) or says clearly that it was not recorded — never a server error — and
/// sending the same form again gives the same receipt, never a second ballot.
/// </summary>
[Trait(Tier.Name, Tier.Faults)]
[Collection(FaultCollection.Name)]
public sealed partial class FrontEndRestartTests(FaultCluster fault, ITestOutputHelper output) : FaultTest(fault)
{
    [Fact]
    public async Task Front_end_restarted_between_choose_and_confirm_the_form_still_works_or_fails_clearly_and_nothing_is_cast_twice()
    {
        var cluster = Fault.Cluster;
        using var load = await VoteLoad.PrepareAsync(Fault, 1);
        var voter = load.Voters[0];
        var web = cluster.Web(0);
        var votePath = $"/rounds/{load.RoundId}/vote";

        using var session = new BrowserlessSession();
        var (signedIn, at) = await session.SignInAsync(web, "voter:" + voter, PlatformFixture.DevelopmentPassword, votePath);
        var choosePage = await signedIn.Content.ReadAsStringAsync();
        Assert.True(signedIn.StatusCode == HttpStatusCode.OK && at.AbsolutePath == votePath, $"after sign-in: {(int)signedIn.StatusCode} at {at}");

        // Choose 2 and 5, continue: the confirm step, with its antiforgery token and idempotency key.
        var (chooseAction, chooseFields) = Form(choosePage, "name=\"step\" value=\"choose\"");
        chooseFields.RemoveAll(f => f.Key == "choices");
        chooseFields.AddRange([new("choices", "2"), new("choices", "5")]);
        var (confirmResponse, confirmAt) = await session.SendAsync(HttpMethod.Post, new Uri(at, chooseAction), new FormUrlEncodedContent(chooseFields));
        var confirmPage = await confirmResponse.Content.ReadAsStringAsync();
        Assert.True(confirmResponse.StatusCode == HttpStatusCode.OK, $"choose step: {(int)confirmResponse.StatusCode} at {confirmAt}");
        var (confirmAction, confirmFields) = Form(confirmPage, "name=\"step\" value=\"confirm\"");
        var idempotencyKey = Assert.Single(confirmFields, f => f.Key == "idempotencyKey").Value;
        Assert.Equal(["2", "5"], confirmFields.Where(f => f.Key == "choices").Select(f => f.Value));
        Assert.Contains(confirmFields, f => f.Key == "__RequestVerificationToken");

        // Front end 0 dies and comes back while the voter reads the confirm step.
        await cluster.KillAsync(0);
        var restart = System.Diagnostics.Stopwatch.StartNew();
        await cluster.RestartAsync(0);
        output.WriteLine($"round {load.RoundId}: front end 0 killed and ready again in {restart.Elapsed.TotalSeconds:0.0} s; confirm form key {idempotencyKey}");

        // The voter presses "confirm" (again, if told it was not recorded), always with the same form.
        async Task<string?> ConfirmAsync(string attempt)
        {
            var (response, url) = await session.SendAsync(HttpMethod.Post, new Uri(confirmAt, confirmAction), new FormUrlEncodedContent(confirmFields));
            var html = await response.Content.ReadAsStringAsync();
            var received = Regex.Match(url.Query, "[?&]received=(?<code>[A-Z0-9]+)");
            output.WriteLine($"{attempt}: {(int)response.StatusCode} at {url.PathAndQuery}");
            Assert.True((int)response.StatusCode < 500, $"{attempt}: server error {(int)response.StatusCode} at {url}\n{html}");
            if (received.Success && url.AbsolutePath == $"/rounds/{load.RoundId}/ballot")
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return received.Groups["code"].Value;
            }

            // Not recorded: the page must say so and offer the same ballot, with the same key, again.
            Assert.True(response.StatusCode == HttpStatusCode.OK && url.AbsolutePath == votePath && html.Contains("data-testid=\"vote-not-stored\"", StringComparison.Ordinal),
                $"{attempt}: neither a receipt nor a clear 'not recorded' page: {(int)response.StatusCode} at {url}\n{html[..Math.Min(html.Length, 3000)]}");
            Assert.Equal(idempotencyKey, Assert.Single(Form(html, "name=\"step\" value=\"confirm\"").Fields, f => f.Key == "idempotencyKey").Value);
            return null;
        }

        string? code = null;
        for (var attempt = 1; code is null; attempt++)
        {
            Assert.True(attempt <= 10, "the confirm form never recorded the ballot after the restart");
            code = await ConfirmAsync($"confirm after the restart #{attempt}");
            if (code is null)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }

        // The same form sent once more (a double click, the back button): the same receipt, nothing new stored.
        Assert.Equal(code, await ConfirmAsync("the same confirm form again"));

        var recount = await BallotRecount.ReadAsync(cluster, load.RoundId);
        var stored = Assert.Single(recount.Rows);
        Assert.Equal((voter, 1, code, 1), (stored.VoterKey, stored.Version, stored.ReceiptCode, stored.ReceiptVersion));
        Assert.Equal([2, 5], stored.Choices);
        await recount.AssertLiveCountEqualsAsync(cluster, load.RoundId, output, settle: TimeSpan.FromSeconds(10));
    }

    /// <summary>The post form that contains <paramref name="marker"/>: its action and its hidden fields, in order (repeated names kept).</summary>
    private static (string Action, List<KeyValuePair<string, string>> Fields) Form(string html, string marker)
    {
        var form = FormPattern().Matches(html).FirstOrDefault(m => m.Value.Contains(marker, StringComparison.Ordinal));
        Assert.True(form is not null, $"no form with {marker} on the page:\n{html[..Math.Min(html.Length, 3000)]}");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in InputPattern().Matches(form.Groups["body"].Value))
        {
            var attributes = AttributePattern().Matches(input.Value).ToDictionary(a => a.Groups["name"].Value.ToLowerInvariant(), a => WebUtility.HtmlDecode(a.Groups["value"].Value));
            if (attributes.GetValueOrDefault("type") == "hidden" && attributes.TryGetValue("name", out var name))
            {
                fields.Add(new(name, attributes.GetValueOrDefault("value", "")));
            }
        }

        var action = AttributePattern().Matches(form.Groups["open"].Value).FirstOrDefault(a => a.Groups["name"].Value == "action")?.Groups["value"].Value;
        return (string.IsNullOrEmpty(action) ? "" : WebUtility.HtmlDecode(action), fields);
    }

    [GeneratedRegex("""(?<open><form\b[^>]*>)(?<body>.*?)</form>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<input\b[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex(@"(?<name>[a-zA-Z_:][-a-zA-Z0-9_:.]*)=""(?<value>[^""]*)""")]
    private static partial Regex AttributePattern();
}
