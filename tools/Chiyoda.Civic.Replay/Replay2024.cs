using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Chiyoda.Civic.Client;
using Chiyoda.Civic.Client.Api.V1.Rounds.Item.Facilities;
using Chiyoda.Civic.Client.Models;

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
/// (some superseding online ballots, one spoiled, one duplicate), then close, count, certify and publish. Every call goes
/// through the client generated from the OpenAPI document (<see cref="CivicApiClient"/>), so a change of the API that
/// the replay no longer matches fails its build.
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
        using var adminHttp = await ClientAsync("admin");
        using var clerkHttp = await ClientAsync("clerk");
        using var clerk2Http = await ClientAsync("clerk-2");
        var admin = CivicApi.For(adminHttp).Api.V1.Rounds[roundId];
        var clerk = CivicApi.For(clerkHttp);
        var clerk2 = CivicApi.For(clerk2Http);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(9)).DateTime);

        // The shortlist goes the one way onto a ballot: residents' proposals, screened, selected, published.
        log.WriteLine($"round {roundId}: shortlist of {shortlist.Count} through submission and screening, then the register");
        await new ShortlistThroughScreening(ClientAsync, log).CreateRoundAsync(roundId, name, "Digital proposal programme (replay)",
            new ChainSchedule(now.AddDays(-90), now.AddDays(-30), now.AddDays(-1), now.AddDays(20), now.AddDays(30)),
            new RoundRequest_rules { MaxVotesPerVoter = 3, MinimumAge = 18, MaxProposalsPerProposer = 3, AdoptedCount = adoptedCount },
            [.. shortlist.Select((p, i) => new ChainProposal($"p-{i + 1:000}", p.Title, p.TitleEn, p.Title))]);

        var register = new StringBuilder("voter_key,name_kana,birthdate,postcode\n");
        var keys = voters.Select(v => v.VoterKey).Concat(Enumerable.Range(1, registeredNonVoters).Select(n => $"n{n:0000}")).Append("spoiler").ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            var birthdate = today.AddYears(-(19 + i * 7 % 70)).AddDays(-(i * 13 % 300));
            register.Append(CultureInfo.InvariantCulture, $"{keys[i]},クミン {i},{birthdate:yyyy-MM-dd},102-8688\n");
        }

        using (var file = new MemoryStream(Encoding.UTF8.GetBytes(register.ToString())))
        {
            await CivicApi.Expect("register", () => admin.Register.PostAsync(file));
        }

        await CivicApi.Expect("facilities", () => admin.Facilities.PutAsync([new Facilities { Code = "HALL", Name = "区役所" }]));

        log.WriteLine($"online ballots of {voters.Count(v => !v.Paper || v.EarlierOnline is not null)} voters");
        await Parallel.ForEachAsync(voters.Where(v => !v.Paper || v.EarlierOnline is not null), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (voter, _) =>
        {
            using var http = await ClientAsync($"voter:{voter.VoterKey}");
            var client = CivicApi.For(http);
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
        var paper = new StringBuilder("ballot_serial,facility,cast_date,voter_key,choices\n");
        var serial = 0;
        foreach (var voter in paperVoters)
        {
            paper.Append(CultureInfo.InvariantCulture, $"S{++serial:000000},HALL,{today:yyyy-MM-dd},{voter.VoterKey},{string.Join(';', voter.Final)}\n");
        }

        // A spoiled ballot (no choice) and a second paper ballot from a paper voter: their own columns, never counted.
        paper.Append(CultureInfo.InvariantCulture, $"S{++serial:000000},HALL,{today:yyyy-MM-dd},spoiler,\n");
        var duplicates = 0;
        if (paperVoters.Count > 0)
        {
            paper.Append(CultureInfo.InvariantCulture, $"S{++serial:000000},HALL,{today:yyyy-MM-dd},{paperVoters[0].VoterKey},{string.Join(';', paperVoters[0].Final)}\n");
            duplicates = 1;
        }

        log.WriteLine($"paper batch of {serial} ballots, keyed twice, committed");
        await CivicApi.Expect("open paper batch", () => clerk.Api.V1.Rounds[roundId].PaperBatches.PostAsync(new BatchRequest
        {
            BatchId = "hall-1",
            Facility = "HALL",
            SessionDate = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            BallotsInBox = serial,
        }));
        foreach (var keyer in new[] { clerk, clerk2 })
        {
            // The clerks' file import: the same operation as keyed lines, with the file as it came (text/csv).
            using var file = new MemoryStream(Encoding.UTF8.GetBytes(paper.ToString()));
            var keyings = keyer.Api.V1.Rounds[roundId].PaperBatches["hall-1"].Keyings;
            var request = keyings.ToPostRequestInformation(new KeyingRequest());
            request.Headers.Remove("Content-Type");
            request.SetStreamContent(file, "text/csv");
            await CivicApi.Expect("paper keying", () => keyer.Adapter.SendPrimitiveAsync<Stream>(request));
        }

        for (var attempt = 0; ; attempt++)
        {
            // 200 once committed; 202 (the same view, still committing) while the commit goes on: ask again.
            var view = await CivicApi.Expect("commit paper batch", () => clerk.Api.V1.Rounds[roundId].PaperBatches["hall-1"].Commit.PostAsync(new CommitRequest()));
            if (view?.Summary?.Status == "committed")
            {
                break;
            }

            if (attempt > 60)
            {
                throw new InvalidOperationException($"commit: still {view?.Summary?.Status} after {attempt} attempts");
            }
        }

        log.WriteLine("close, count, certify, publish");
        await CivicApi.Expect("close", () => admin.Close.PostAsync(new CloseRequest { Reason = "Replay: the window of the replayed round is over." }));
        await CivicApi.Expect("count", () => admin.Count.PostAsync());
        var counted = await CivicApi.Expect("counting", () => admin.Counting.GetAsync());
        if (counted?.LastCount is not { Differences: { } differences })
        {
            throw new InvalidOperationException("The count did not finish within its request.");
        }

        if (differences.Count != 0)
        {
            throw new InvalidOperationException("The recount differs from the live tally: " + string.Join("; ", differences.Select(d => $"{d.Item}: live {d.Live}, recount {d.Recount}")));
        }

        var certified = await CivicApi.Expect("certify", () => admin.Certify.PostAsync());
        if (certified?.Certified is null)
        {
            throw new InvalidOperationException("The certification did not finish within its request.");
        }

        await CivicApi.Expect("publish", () => admin.Publish.PostAsync());

        var expected = voters.SelectMany(v => v.Final).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        var ordered = expected.OrderByDescending(e => e.Value).ToList();
        var adopted = ordered.Take(adoptedCount).Select(e => e.Key).Order().ToList();
        var anonymous = CivicApi.For(_anonymous);
        var published = anonymous.Api.V1.Rounds[roundId];
        // The files as served, read as streams: results.json compared member by member (not as its generated model reads
        // it), and the CSVs, whose media type (text/csv) Kiota does not read, so its methods for them return nothing.
        using var results = await JsonDocument.ParseAsync((await CivicApi.Expect("results",
            () => anonymous.Adapter.SendPrimitiveAsync<Stream>(published.Results.ToGetRequestInformation())))!);
        return new ReplayOutcome(roundId, expected, voters.Count, voters.Count(v => !v.Paper), paperVoters.Count, 1, duplicates, adopted,
            results.RootElement.Clone(),
            await TextAsync("results.csv", () => anonymous.Adapter.SendPrimitiveAsync<Stream>(published.ResultsCsv.ToGetRequestInformation())),
            await TextAsync("ballots.csv", () => anonymous.Adapter.SendPrimitiveAsync<Stream>(published.BallotsCsv.ToGetRequestInformation())),
            await TextAsync("ballots.pb", () => published.BallotsPb.GetAsync()));
    }

    private static async Task CastAsync(CivicApiClient client, string roundId, int[] choices) =>
        await CivicApi.Expect($"ballot {string.Join(';', choices)}", () => client.Api.V1.Rounds[roundId].Ballot.PutAsync(
            new BallotRequest { Choices = [.. choices.Select(c => (int?)c)] },
            request => request.Headers.Add(CivicApi.IdempotencyKeyHeader, Guid.NewGuid().ToString("N"))));

    /// <summary>A download's text as served, without the byte-order mark a CSV for Excel starts with.</summary>
    private static async Task<string> TextAsync(string what, Func<Task<Stream?>> download)
    {
        await using var stream = await CivicApi.Expect("GET " + what, download) ?? throw new InvalidOperationException($"GET {what}: no content");
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync();
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
