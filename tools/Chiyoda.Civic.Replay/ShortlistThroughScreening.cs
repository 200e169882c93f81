using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chiyoda.Civic.Replay;

/// <summary>A proposal as a resident submits it; what it says is what the ballot will print.</summary>
public sealed record ChainProposal(string ProposalId, string Title, string? TitleEn, string Summary, string? SummaryEn = null, string Category = "administration");

/// <summary>A round's five instants, in the order the round goes through them.</summary>
public sealed record ChainSchedule(DateTimeOffset CallOpens, DateTimeOffset CallCloses, DateTimeOffset VotingOpens, DateTimeOffset VotingCloses, DateTimeOffset ResultsDue);

/// <summary>
/// A round with its shortlist built the one way the platform allows, through the API: the round is created
/// with its call for proposals open; residents create and submit the proposals; the call closes; an
/// administrator assigns the screener to every stage of the round's screening set-up; the screener scores
/// where a stage is scored and advances the proposals stage by stage until they are selected; an
/// administrator publishes the shortlist in ballot order; then the round takes its final schedule (voting
/// open, not yet open, or closed). The replay, the load generator and the tests set rounds up with it.
/// </summary>
/// <param name="clientFor">An API client signed in as the named development account.</param>
public sealed class ShortlistThroughScreening(Func<string, Task<HttpClient>> clientFor, TextWriter? log = null)
{
    public const string Administrator = "admin";
    public const string Screener = "screener";

    /// <summary>
    /// The residents who propose (register-style accounts of the development provider, kept apart from the named
    /// residents so their inboxes are not filled): proposal i is proposer i mod 4's, so a round takes up to four
    /// times its per-proposer limit.
    /// </summary>
    /// <remarks>
    /// Each round has its own residents ("voter:{roundId}-proposer-n"), as a real ward's rounds do: the platform limits
    /// how fast one account may create proposals, and a test run that sets up dozens of rounds must not look like one
    /// resident flooding the ward.
    /// </remarks>
    public static IReadOnlyList<string> ProposersOf(string roundId) => [.. Enumerable.Range(1, 4).Select(n => $"voter:{roundId}-proposer-{n}")];

    /// <summary>Seven proposals p-001..p-007 ("提案 n", "Proposal n").</summary>
    public static IReadOnlyList<ChainProposal> Seven { get; } =
        [.. Enumerable.Range(1, 7).Select(n => new ChainProposal($"p-{n:000}", $"提案 {n}", $"Proposal {n}", $"概要 {n}", $"Summary {n}"))];

    /// <summary>
    /// Creates <paramref name="roundId"/> and takes <paramref name="ballot"/> from submission to the published
    /// shortlist (ballot numbers in list order), then sets <paramref name="schedule"/>. <paramref name="rules"/>
    /// is the API's rules object (null: the ward's defaults). Returns the published shortlist.
    /// </summary>
    public async Task<JsonElement> CreateRoundAsync(string roundId, string name, string? nameEn, ChainSchedule schedule,
        object? rules, IReadOnlyList<ChainProposal> ballot)
    {
        var now = DateTimeOffset.UtcNow;
        using var admin = await clientFor(Administrator);
        using var screener = await clientFor(Screener);
        var residents = ProposersOf(roundId);
        var proposers = await Task.WhenAll(residents.Take(Math.Max(1, Math.Min(ballot.Count, residents.Count))).Select(clientFor));
        var r = $"/api/v1/rounds/{roundId}";
        object Round(ChainSchedule s) => new
        {
            name,
            nameEn,
            schedule = new { callOpens = Iso(s.CallOpens), callCloses = Iso(s.CallCloses), votingOpens = Iso(s.VotingOpens), votingCloses = Iso(s.VotingCloses), resultsDue = Iso(s.ResultsDue) },
            rules,
        };

        // While proposals are taken, voting is at least a day away, whatever the final schedule says.
        var callCloses = now.AddDays(1);
        var votingOpens = Later(schedule.VotingOpens, callCloses);
        var votingCloses = Later(schedule.VotingCloses, votingOpens.AddDays(1));
        var callOpen = new ChainSchedule(Earlier(schedule.CallOpens, now.AddDays(-1)), callCloses, votingOpens, votingCloses, Later(schedule.ResultsDue, votingCloses));
        log?.WriteLine($"round {roundId}: call for proposals open, {ballot.Count} proposals submitted by residents");
        await Expect(admin.PostAsJsonAsync(r, Round(callOpen)), 201);
        try
        {
            await Task.WhenAll(ballot.Select((p, i) => Expect(proposers[i % proposers.Length].PostAsJsonAsync($"{r}/proposals", new
            {
                proposalId = p.ProposalId,
                title = p.Title,
                titleEn = p.TitleEn,
                summary = p.Summary,
                summaryEn = p.SummaryEn,
                problem = "手続きや情報が紙と窓口に頼っている。",
                solution = p.Summary,
                expectedEffect = "区民の手間が減る。",
                category = p.Category,
                relation = "lives",
                submit = true,
            }), 201)));
        }
        finally
        {
            foreach (var proposer in proposers)
            {
                proposer.Dispose();
            }
        }

        // The call closes (when the final schedule has it closed) before staff screen.
        if (schedule.CallCloses <= now)
        {
            await Expect(admin.PutAsJsonAsync(r, Round(callOpen with { CallOpens = schedule.CallOpens, CallCloses = schedule.CallCloses })), 200);
        }

        var stages = (await Expect(admin.GetAsync($"{r}/screening"), 200)).GetProperty("stages").EnumerateArray().ToList();
        await Expect(admin.PutAsJsonAsync($"{r}/screening/assignments/{Screener}",
            new { name = "審査担当", stages = stages.Select(s => s.GetProperty("number").GetInt32()) }), 200);
        var ids = ballot.Select(p => p.ProposalId).ToArray();
        foreach (var stage in stages)
        {
            var number = stage.GetProperty("number").GetInt32();
            var criteria = stage.GetProperty("criteria").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
            if (criteria.Count > 0)
            {
                await Task.WhenAll(ids.Select(id => ExpectRetryingAsync(() => screener.PostAsJsonAsync($"{r}/proposals/{id}/reviews/scores",
                    new { stage = number, scores = criteria.ToDictionary(c => c, _ => 4) }), 200)));
            }

            var decided = await ExpectRetryingAsync(() => screener.PostAsJsonAsync($"{r}/screening/decisions",
                new { proposalIds = ids, stage = number, decision = "advance", batchId = $"{roundId}-stage-{number}" }), 200);
            if (decided.EnumerateArray().FirstOrDefault(d => !d.GetProperty("succeeded").GetBoolean()) is { ValueKind: JsonValueKind.Object } refused)
            {
                throw new InvalidOperationException($"screening at stage {number} refused: {refused}");
            }
        }

        log?.WriteLine($"round {roundId}: {ids.Length} proposals screened through {stages.Count} stages, shortlist published");
        var shortlist = await Expect(admin.PostAsJsonAsync($"{r}/shortlist/publish", new { proposalIds = ids }), 200);
        await Expect(admin.PutAsJsonAsync(r, Round(schedule)), 200);
        return shortlist;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public static string Iso(DateTimeOffset instant) => instant.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// As <see cref="Expect"/>, sending again on 503 ("nothing was changed; try again shortly"), as a client should
    /// while a silo is replaced: scores are set, not added, and a decision batch carries its id, so a repeat is safe.
    /// </summary>
    private static async Task<JsonElement> ExpectRetryingAsync(Func<Task<HttpResponseMessage>> send, int status)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if ((int)response.StatusCode != 503 || attempt == 5)
            {
                return await Expect(Task.FromResult(response), status);
            }

            response.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(attempt));
        }
    }

    private static async Task<JsonElement> Expect(Task<HttpResponseMessage> call, int status)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != status)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {status}, got {(int)response.StatusCode} {body}");
        }

        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }
}
