using System.Net.Http.Json;
using System.Text;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Tests.Ballots;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.PaperBallots;

namespace Chiyoda.Civic.Tests.Results;

/// <summary>
/// Published results are a function of the set of ballots: the same boxes of paper ballots, imported in different
/// orders, with their lines shuffled and in different encodings, and one box imported again after it was
/// committed, publish byte-identical results.csv and the same multiset of ballots.csv choices.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ResultsOrderTests(PlatformFixture platform)
{
    private const string Header = "ballot_serial,facility,cast_date,voter_key,choices";

    private static readonly string[] Voters = ["o1", "o2", "o3", "o4", "o5", "o6"];

    private static string Day(int daysAgo) => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).AddDays(-daysAgo).ToString("yyyy-MM-dd");

    /// <summary>The same day as the ward's forms write it (令和8年11月28日): box b is keyed that way.</summary>
    private static string Era(int daysAgo) => WardDates.ToEra(DateOnly.ParseExact(Day(daysAgo), "yyyy-MM-dd"));

    /// <summary>Three boxes whose ballots overlap (the same voters at both facilities and on several days); a serial of box a turns up again in box c.</summary>
    private static List<(string Facility, string[] Lines)> Boxes(string prefix) =>
    [
        ("F01", [$"A-01,F01,{Day(2)},{prefix}o1,1;2", $"A-02,F01,{Day(5)},{prefix}o2,3", $"A-03,F01,{Day(1)},{prefix}o3,4", $"A-04,,{Day(3)},{prefix}o4,9", $"A-05,F01,{Day(1)},{prefix}o5,5;6;7"]),
        ("F02", [$"B-01,F02,{Era(2)},{prefix}o1,3", $"B-02,F02,{Era(4)},{prefix}o3,1", $"B-03,F02,{Era(5)},{prefix}o2,6", $"B-04,F02,{Era(1)},{prefix}o4,2", $"B-05,F02,{Era(1)},{prefix}o6,1;7"]),
        ("F01", [$"C-01,F01,{Day(2)},{prefix}o1,５", $"A-03,F01,{Day(1)},{prefix}o3,４", $"C-03,F01,{Day(6)},{prefix}o5,", $"C-04,F01,{Day(4)},{prefix}o3,２;３", $"C-05,F01,{Day(3)},{prefix}o6,４"]),
    ];

    /// <summary>Box a as UTF-8 with a BOM, box b as Shift_JIS with era dates (the ward's spreadsheets), box c as UTF-8 with full-width digits.</summary>
    private static byte[] File(int box, IEnumerable<string> lines)
    {
        var text = Header + "\r\n" + string.Join("\r\n", lines) + "\r\n";
        return box switch
        {
            0 => PaperApi.Utf8(text, bom: true),
            1 => PaperApi.ShiftJis.GetBytes(text),
            _ => PaperApi.Utf8(text),
        };
    }

    private async Task<(byte[] ResultsCsv, List<string> BallotChoices, int Duplicates)> RunAsync(int[] order, int seed)
    {
        using var admin = await platform.ApiClientAsync("admin");
        using var clerk = await platform.ApiClientAsync("clerk");
        using var clerk2 = await platform.ApiClientAsync("clerk-2");
        var roundId = await PlatformVoting.CreateRoundAsync(admin, opens: TimeSpan.FromDays(-10));
        var prefix = roundId[^4..] + "-";
        // Half the register gives birthdates in the era form (昭和59年…), as ward systems export them.
        var register = "voter_key,name_kana,birthdate,postcode\n" + string.Join('\n', Voters.Select((v, i) =>
            $"{prefix}{v},クミン {v.ToUpperInvariant()},{(i % 2 == 0 ? "1984-05-06" : WardDates.ToEra(new DateOnly(1984, 5, 6)))},102-8688"));
        await PlatformVoting.LoadRegisterAsync(admin, roundId, register);
        await HttpAssertions.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/rounds/{roundId}/facilities",
            new[] { new { code = "F01", name = "区役所 1階" }, new { code = "F02", name = "神田公園出張所" } }), 200);
        using (var o2 = await platform.ApiClientAsync("voter:" + prefix + "o2"))
        {
            await HttpAssertions.JsonAsync(await o2.SendAsync(PlatformVoting.Ballot(roundId, "o2-online", 7)), 200);
        }

        var random = new Random(seed);
        var boxes = Boxes(prefix);
        async Task<string> EnterAsync(int box, string? forcedReason = null)
        {
            var (facility, lines) = boxes[box];
            var file = File(box, lines.OrderBy(_ => random.Next()));
            var batch = await HttpAssertions.JsonAsync(await clerk.PostAsJsonAsync($"/api/v1/rounds/{roundId}/paper-batches",
                new { facility, sessionDate = Day(0), ballotsInBox = lines.Length }), 201);
            var batchId = batch.GetProperty("summary").GetProperty("batchId").GetString()!;
            await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk, roundId, batchId, file), 200);
            await HttpAssertions.JsonAsync(await PaperApi.ImportAsync(clerk2, roundId, batchId, file), 200);
            await PaperApi.CommitAsync(admin, roundId, batchId, forcedReason ?? "box c holds a serial of box a");
            return batchId;
        }

        foreach (var box in order)
        {
            await EnterAsync(box);
        }

        // Box a again, as if its file had been imported a second time: its serials are one ballot each, not duplicates.
        var again = await EnterAsync(0, "the same box imported again");
        var report = await HttpAssertions.JsonAsync(await admin.GetAsync($"/api/v1/rounds/{roundId}/paper-batches/{again}?take=100"), 200);
        Assert.All(PaperApi.FinalBySerial(report).Values, l => Assert.Equal(("re-entered", "serial-already-recorded"), l));

        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/close", new { reason = "テスト: 順序" }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/certify", new { }), 200);
        await HttpAssertions.JsonAsync(await admin.PostAsJsonAsync($"/api/v1/rounds/{roundId}/publish", new { }), 200);
        using var anonymous = await platform.ApiClientAsync();
        var results = await (await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results.csv")).Content.ReadAsByteArrayAsync();
        var ballots = Encoding.UTF8.GetString(await (await anonymous.GetAsync($"/api/v1/rounds/{roundId}/ballots.csv")).Content.ReadAsByteArrayAsync());
        var choices = ballots.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l[(l.IndexOf(',') + 1)..]).Order(StringComparer.Ordinal).ToList();
        var published = await HttpAssertions.JsonAsync(await anonymous.GetAsync($"/api/v1/rounds/{roundId}/results"), 200);
        return (results, choices, published.GetProperty("totals").GetProperty("duplicatePaperBallots").GetInt32());
    }

    [Fact]
    public async Task The_same_boxes_in_any_order_and_encoding_and_imported_again_publish_byte_identical_results()
    {
        var runs = new List<(string Order, (byte[] ResultsCsv, List<string> BallotChoices, int Duplicates) Run)>();
        foreach (var (order, seed) in new[] { (new[] { 0, 1, 2 }, 1), ([2, 1, 0], 2), ([1, 2, 0], 3) })
        {
            runs.Add((string.Join(",", order), await RunAsync(order, seed)));
        }

        // Worked out from the rules: o1..o6 each have one counted ballot (o2's paper supersedes online); B-01, C-01,
        // B-03, B-02, A-03 and B-05 are duplicates; A-04 (unknown proposal) and C-03 (blank) are invalid.
        var first = runs[0].Run;
        var table = Encoding.UTF8.GetString(first.ResultsCsv);
        Assert.Equal(6, first.Duplicates);
        Assert.Contains("\nvoters,,,,,6,,", table.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\ninvalid_paper_ballots,,,,,2,,", table.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\nduplicate_paper_ballots,,,,,6,,", table.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(["1;2", "2", "2;3", "3", "4", "5;6;7"], first.BallotChoices.Select(c => c[(c.IndexOf(',') + 1)..]).Order(StringComparer.Ordinal));
        foreach (var (order, run) in runs.Skip(1))
        {
            Assert.True(first.ResultsCsv.AsSpan().SequenceEqual(run.ResultsCsv), $"order {order}:\n{Encoding.UTF8.GetString(run.ResultsCsv)}\nfirst:\n{table}");
            Assert.Equal(first.BallotChoices, run.BallotChoices);
            Assert.Equal(first.Duplicates, run.Duplicates);
        }
    }
}
