using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Chiyoda.Civic.Replay;

/// <summary>One voter of the replay: their final ballot, its channel, and what they did before it.</summary>
public sealed record ReplayVoter(string VoterKey, int[] Final, bool Paper, int[]? EarlierOnline);

/// <summary>What the replay published and what the ballots say it should be.</summary>
public sealed record ReplayOutcome(
    string RoundId,
    IReadOnlyDictionary<int, int> ExpectedVotes,
    int ExpectedVoters,
    int ExpectedOnlineVoters,
    int ExpectedPaperVoters,
    int ExpectedInvalid,
    int ExpectedDuplicates,
    IReadOnlyList<int> ExpectedAdopted,
    JsonElement Results,
    string ResultsCsv,
    string BallotsCsv,
    string Pabulib)
{
    public int PublishedVoters => Results.GetProperty("totals").GetProperty("voters").GetInt32();

    public int PublishedVotes => Results.GetProperty("totals").GetProperty("votes").GetInt32();

    public IReadOnlyList<int> PublishedAdopted => [.. Results.GetProperty("adoption").GetProperty("adopted").EnumerateArray().Select(e => e.GetInt32())];

    public IReadOnlyDictionary<int, int> PublishedVotesByNumber => Results.GetProperty("proposals").EnumerateArray()
        .ToDictionary(p => p.GetProperty("ballotNumber").GetInt32(), p => p.GetProperty("votes").GetInt32());

    /// <summary>Votes per ballot number and voters by channel, summed from ballots.csv.</summary>
    public (IReadOnlyDictionary<int, int> Votes, int Online, int Paper) SumBallotsCsv()
    {
        var votes = new Dictionary<int, int>();
        int online = 0, paper = 0;
        foreach (var line in BallotsCsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var fields = line.Split(',');
            if (fields[1] == "paper") paper++; else online++;
            foreach (var choice in fields[2].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var n = int.Parse(choice, CultureInfo.InvariantCulture);
                votes[n] = votes.GetValueOrDefault(n) + 1;
            }
        }

        return (votes, online, paper);
    }

    /// <summary>Every way the published results or open data differ from the ballots; empty when they agree.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Check(string what, object expected, object actual)
        {
            if (!Equals(expected, actual)) problems.Add($"{what}: expected {expected}, published {actual}");
        }

        var totals = Results.GetProperty("totals");
        Check("voters", ExpectedVoters, totals.GetProperty("voters").GetInt32());
        Check("online voters", ExpectedOnlineVoters, totals.GetProperty("onlineVoters").GetInt32());
        Check("paper voters", ExpectedPaperVoters, totals.GetProperty("paperVoters").GetInt32());
        Check("votes", ExpectedVotes.Values.Sum(), totals.GetProperty("votes").GetInt32());
        Check("invalid paper ballots", ExpectedInvalid, totals.GetProperty("invalidPaperBallots").GetInt32());
        Check("duplicate paper ballots", ExpectedDuplicates, totals.GetProperty("duplicatePaperBallots").GetInt32());
        foreach (var (number, votes) in ExpectedVotes)
        {
            Check($"votes for {number}", votes, PublishedVotesByNumber.GetValueOrDefault(number));
        }

        Check("adopted", string.Join(",", ExpectedAdopted), string.Join(",", PublishedAdopted));
        var (csvVotes, csvOnline, csvPaper) = SumBallotsCsv();
        foreach (var (number, votes) in ExpectedVotes)
        {
            Check($"ballots.csv votes for {number}", votes, csvVotes.GetValueOrDefault(number));
        }

        Check("ballots.csv online rows", ExpectedOnlineVoters, csvOnline);
        Check("ballots.csv paper rows", ExpectedPaperVoters, csvPaper);
        return problems;
    }
}

/// <summary>
/// Replays a round end to end through the API of a fresh platform, as the ward would run it: residents'
/// proposals screened to the shortlist (<see cref="ShortlistThroughScreening"/>), a register, online ballots (some changed before the close), paper ballots keyed twice and committed
/// (some superseding online ballots, one spoiled, one duplicate), then close, count, certify and publish.
/// </summary>
public class RoundReplay(Uri web, Uri identityProvider, TextWriter log)
{
    public const int Parallelism = 16;
    private const string Password = "chiyoda";
    private readonly HttpClient _anonymous = new() { BaseAddress = web, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Runs the scenario: <paramref name="shortlist"/> (title, English title) by ballot number 1..N; voters as given.</summary>
    public async Task<ReplayOutcome> RunAsync(string roundId, string name, IReadOnlyList<(string Title, string TitleEn)> shortlist,
        IReadOnlyList<ReplayVoter> voters, int registeredNonVoters, int adoptedCount)
    {
        var admin = await ClientAsync("admin");
        var clerk = await ClientAsync("clerk");
        var clerk2 = await ClientAsync("clerk-2");
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(9)).DateTime);

        // The shortlist goes the one way onto a ballot: residents' proposals, screened, selected, published.
        log.WriteLine($"round {roundId}: shortlist of {shortlist.Count} through submission and screening, then the register");
        await new ShortlistThroughScreening(ClientAsync, log).CreateRoundAsync(roundId, name, "Digital proposal programme (replay)",
            new ChainSchedule(now.AddDays(-90), now.AddDays(-30), now.AddDays(-1), now.AddDays(20), now.AddDays(30)),
            new { maxVotesPerVoter = 3, minimumAge = 18, maxProposalsPerProposer = 3, adoptedCount },
            [.. shortlist.Select((p, i) => new ChainProposal($"p-{i + 1:000}", p.Title, p.TitleEn, p.Title))]);

        var register = new StringBuilder("voter_key,name_kana,birthdate,postcode\n");
        var keys = voters.Select(v => v.VoterKey).Concat(Enumerable.Range(1, registeredNonVoters).Select(n => $"n{n:0000}")).Append("spoiler").ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            var birthdate = today.AddYears(-(19 + i * 7 % 70)).AddDays(-(i * 13 % 300));
            register.Append(CultureInfo.InvariantCulture, $"{keys[i]},クミン {i},{birthdate:yyyy-MM-dd},102-8688\n");
        }

        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes(register.ToString())))
        {
            content.Headers.ContentType = new("text/csv");
            await Expect(admin.PostAsync($"/api/v1/rounds/{roundId}/register", content), 200);
        }

        await Expect(admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/facilities", new[] { new { code = "HALL", name = "区役所" } }), 200);

        log.WriteLine($"online ballots of {voters.Count(v => !v.Paper || v.EarlierOnline is not null)} voters");
        await Parallel.ForEachAsync(voters.Where(v => !v.Paper || v.EarlierOnline is not null), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (voter, _) =>
        {
            using var client = await ClientAsync($"voter:{voter.VoterKey}");
            if (voter.EarlierOnline is { } earlier)
            {
                await CastAsync(client, roundId, earlier);
            }

            if (!voter.Paper)
            {
                await CastAsync(client, roundId, voter.Final);
            }
        });

        var paperVoters = voters.Where(v => v.Paper).ToList();
        var file = new StringBuilder("ballot_serial,facility,cast_date,voter_key,choices\n");
        var serial = 0;
        foreach (var voter in paperVoters)
        {
            file.Append(CultureInfo.InvariantCulture, $"S{++serial:000000},HALL,{today:yyyy-MM-dd},{voter.VoterKey},{string.Join(';', voter.Final)}\n");
        }

        // A spoiled ballot (no choice) and a second paper ballot from a paper voter: their own columns, never counted.
        file.Append(CultureInfo.InvariantCulture, $"S{++serial:000000},HALL,{today:yyyy-MM-dd},spoiler,\n");
        var duplicates = 0;
        if (paperVoters.Count > 0)
        {
            file.Append(CultureInfo.InvariantCulture, $"S{++serial:000000},HALL,{today:yyyy-MM-dd},{paperVoters[0].VoterKey},{string.Join(';', paperVoters[0].Final)}\n");
            duplicates = 1;
        }

        log.WriteLine($"paper batch of {serial} ballots, keyed twice, committed");
        var batch = await Expect(clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches",
            new { batchId = "hall-1", facility = "HALL", sessionDate = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ballotsInBox = serial }), 201);
        foreach (var keyer in new[] { clerk, clerk2 })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(file.ToString()));
            content.Headers.ContentType = new("text/csv");
            await Expect(keyer.PostAsync($"/api/v1/rounds/{roundId}/paper-batches/hall-1/keyings", content), 200);
        }

        for (var attempt = 0; ; attempt++)
        {
            var commit = await clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches/hall-1/commit", new { });
            if ((int)commit.StatusCode == 200)
            {
                break;
            }

            if ((int)commit.StatusCode != 202 || attempt > 60)
            {
                throw new InvalidOperationException($"commit: {(int)commit.StatusCode} {await commit.Content.ReadAsStringAsync()}");
            }
        }

        log.WriteLine("close, count, certify, publish");
        await Expect(admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "Replay: the window of the replayed round is over." }), 200);
        var count = await Expect(admin.PostAsync($"/api/v1/rounds/{roundId}/count", null), 200);
        if (count.GetProperty("differences").GetArrayLength() != 0)
        {
            throw new InvalidOperationException("The recount differs from the live tally: " + count.GetProperty("differences"));
        }

        await Expect(admin.PostAsync($"/api/v1/rounds/{roundId}/certify", null), 200);
        await Expect(admin.PostAsync($"/api/v1/rounds/{roundId}/publish", null), 200);

        var expected = voters.SelectMany(v => v.Final).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        var ordered = expected.OrderByDescending(e => e.Value).ToList();
        var adopted = ordered.Take(adoptedCount).Select(e => e.Key).Order().ToList();
        return new ReplayOutcome(roundId, expected, voters.Count, voters.Count(v => !v.Paper), paperVoters.Count, 1, duplicates, adopted,
            await Expect(_anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200),
            await TextAsync($"/api/v1/rounds/{roundId}/results.csv"),
            await TextAsync($"/api/v1/rounds/{roundId}/ballots.csv"),
            await TextAsync($"/api/v1/rounds/{roundId}/ballots.pb"));
    }

    private async Task CastAsync(HttpClient client, string roundId, int[] choices)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/rounds/{roundId}/ballot")
        {
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString("N") } },
            Content = JsonContent.Create(new { choices }),
        };
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ballot {string.Join(';', choices)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<string> TextAsync(string path)
    {
        using var response = await _anonymous.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
    }

    /// <summary>A client with a bearer token of the development provider's password grant (scripts' way in).</summary>
    public async Task<HttpClient> ClientAsync(string account)
    {
        using var token = await _anonymous.PostAsync(new Uri(identityProvider, "connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "civic-scripts",
            ["username"] = account,
            ["password"] = Password,
            ["scope"] = "openid civic-api",
        }));
        var body = await token.Content.ReadAsStringAsync();
        if (!token.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"token for {account}: {(int)token.StatusCode} {body}");
        }

        var client = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        return client;
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

/// <summary>The ward's 2024 round (programme-2024.md): 7 proposals, 665 voters, 1,669 votes, the top two adopted.</summary>
public sealed class Replay2024(Uri web, Uri identityProvider, TextWriter log) : RoundReplay(web, identityProvider, log)
{
    public static readonly (string Title, string TitleEn, int Votes)[] Table =
    [
        ("デジタル書面送付サービス", "Digital document delivery service", 373),
        ("スクールカレンダーの iCalendar 形式での公開", "Publishing school calendars in iCalendar format", 290),
        ("地域住民・保護者支援による学校現場における IT ツール活用", "IT tools in schools, supported by residents and parents", 280),
        ("千代田区営アプリ「ちよログ」", "Ward app \"Chiyo-Log\"", 215),
        ("デジタルマップを通じた千代田区の魅力の発信", "Promoting the ward through a digital map", 192),
        ("Chiyoda AI Helpdesk", "Chiyoda AI Helpdesk", 184),
        ("Metaverse Museum", "Metaverse Museum", 135),
    ];

    public const int Voters = 665;

    /// <summary>
    /// Final ballots that add up to the published table: the votes laid out proposal by proposal in one
    /// sequence, voter j taking positions j, j+665 and j+1330. No proposal has more than 665 votes, so no
    /// ballot names a proposal twice. One in five votes on paper (half of them after voting online, which
    /// the paper ballot supersedes); one in seven online voters changes their ballot before the close.
    /// </summary>
    public static IReadOnlyList<ReplayVoter> Ballots()
    {
        var sequence = Table.SelectMany((p, i) => Enumerable.Repeat(i + 1, p.Votes)).ToArray();
        return [.. Enumerable.Range(0, Voters).Select(j =>
        {
            var final = new[] { j, j + Voters, j + 2 * Voters }.Where(p => p < sequence.Length).Select(p => sequence[p]).Order().ToArray();
            var paper = j % 5 == 0;
            var other = new[] { 7 - (j % 7) };
            int[]? earlier = paper ? (j % 10 == 0 ? other : null) : (j % 7 == 1 ? other : null);
            return new ReplayVoter($"v{j + 1:0000}", final, paper, earlier);
        })];
    }

    public Task<ReplayOutcome> RunAsync(string? roundId = null) =>
        RunAsync(roundId ?? $"replay-2024-{Guid.NewGuid().ToString("N")[..8]}", "デジタル活用提案制度 2024年度（再現）",
            [.. Table.Select(p => (p.Title, p.TitleEn))], Ballots(), registeredNonVoters: 120, adoptedCount: 2);
}
