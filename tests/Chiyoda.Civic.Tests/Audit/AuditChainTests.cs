using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Proposals;
using Chiyoda.Civic.Tests.Rounds;

namespace Chiyoda.Civic.Tests.Audit;

/// <summary>Issue 12, point 6: the audit log is one hash chain per round, appended once per entry id, verifiable from audit.csv.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AuditChainTests(ClusterFixture fixture)
{
    private GrainAuditLog Log => new(fixture.Grains);

    private static AuditEntry Entry(int n, string? after = null) => new($"test:{n}", new DateTimeOffset(2024, 8, 1, 9, 0, n % 60, TimeSpan.FromHours(9)),
        "admin-sub", "管理者", "test.step", $"item {n}", n == 0 ? null : $"value {n - 1}", after ?? $"value {n}");

    [Fact]
    public async Task Each_entry_carries_the_digest_of_the_line_before_across_segments_and_a_repeated_id_is_appended_once()
    {
        var roundId = RoundSamples.NewRoundId();
        const int count = IAuditChainGrain.SegmentCapacity * 2 + 5;
        for (var n = 0; n < count; n++)
        {
            await Log.AppendAsync(roundId, Entry(n));
        }

        // Retries (same ids, even with other content) add nothing.
        await Log.AppendAsync(roundId, Entry(3));
        var link = await fixture.Grains.GetGrain<IAuditChainGrain>(roundId).AppendAsync(Entry(150, "other content"));

        var chain = await Log.ChainAsync(roundId);
        var head = await Log.HeadAsync(roundId);
        Assert.Equal(count, chain.Count);
        Assert.Equal(count, head.Entries);
        Assert.Equal(Enumerable.Range(0, count).Select(n => (long)n), chain.Select(e => e.Seq));
        Assert.Equal(AuditCsv.Genesis, chain[0].PreviousSha256);
        for (var i = 1; i < count; i++)
        {
            Assert.Equal(chain[i - 1].Sha256, chain[i].PreviousSha256);
        }

        Assert.Equal(chain[^1].Sha256, head.Sha256);
        Assert.Equal((150L, chain[150].Sha256), (link.Seq, link.Sha256));
        Assert.Equal("value 150", chain[150].Entry.After);

        var newest = await Log.ListAsync(roundId, 0, 3);
        Assert.Equal(["test:204", "test:203", "test:202"], newest.Entries.Select(e => e.EntryId));
        Assert.Equal(count, newest.Total);
        var page = await Log.ListAsync(roundId, 100, 2);
        Assert.Equal(["test:104", "test:103"], page.Entries.Select(e => e.EntryId));
        var filtered = await Log.ListAsync(roundId, 0, 500, subject: "item 150");
        Assert.Equal(["test:150"], filtered.Entries.Select(e => e.EntryId));
    }

    [Fact]
    public async Task The_exported_file_verifies_with_standard_tools_and_editing_one_entry_breaks_it()
    {
        var roundId = RoundSamples.NewRoundId();
        for (var n = 0; n < 6; n++)
        {
            await Log.AppendAsync(roundId, Entry(n));
        }

        // Values that need CSV quoting, a spreadsheet formula and a line break: still one line per entry.
        await Log.AppendAsync(roundId, new AuditEntry("test:odd", DateTimeOffset.UnixEpoch, "admin-sub", "管理者, \"A\"", "test.odd", "=SUM(A1)", "line one\r\nline two", "@x"));
        var head = await Log.HeadAsync(roundId);
        var csv = AuditCsv.File(await Log.ChainAsync(roundId));
        Assert.Equal(9, csv.Split("\r\n").Length); // header, 7 entries, and the empty string after the last CRLF
        Assert.Contains("\"管理者, \"\"A\"\"\",test.odd,'=SUM(A1),line one  line two,'@x,6,", csv);

        var untouched = await AuditVerifier.VerifyAsync(csv, head.Entries, head.Sha256);
        Assert.True(untouched.ExitCode == 0, untouched.Output);
        Assert.Contains($"ok: 7 entries, head {head.Sha256}", untouched.Output);

        var edited = await AuditVerifier.VerifyAsync(AuditVerifier.EditEntry(csv, 2, "value 2", "value 9"));
        Assert.NotEqual(0, edited.ExitCode);
        Assert.Contains("chain broken at entry 3", edited.Output);

        // Re-chaining every later line after the edit makes a consistent file, but not one that ends in the published head.
        var chain = await Log.ChainAsync(roundId);
        var forged = new List<ChainedAuditEntry>();
        foreach (var e in chain)
        {
            var entry = e.Seq == 2 ? e.Entry with { After = "value 9" } : e.Entry;
            forged.Add(new ChainedAuditEntry(e.Seq, entry, forged.Count == 0 ? AuditCsv.Genesis : forged[^1].Sha256));
        }

        var rechained = AuditCsv.File(forged);
        Assert.Equal(0, (await AuditVerifier.VerifyAsync(rechained)).ExitCode);
        var againstHead = await AuditVerifier.VerifyAsync(rechained, head.Entries, head.Sha256);
        Assert.NotEqual(0, againstHead.ExitCode);
        Assert.Contains("do not end in the published head", againstHead.Output);
    }

    [Fact]
    public async Task Screening_set_up_and_assignments_are_audited_with_before_and_after()
    {
        var roundId = RoundSamples.NewRoundId();
        var now = fixture.Clock.GetUtcNow();
        var admin = new Actor("admin-screening", "管理者", IsAdministrator: true);
        var round = ProposalSamples.CallOpen(now);
        Assert.True((await fixture.Grains.GetGrain<IRoundGrain>(roundId).CreateAsync(round, admin)).Succeeded);
        var screening = fixture.Grains.GetGrain<IScreeningGrain>(roundId);

        var defaults = ScreeningSetup.WardDefaults;
        var setup = defaults with { Categories = [.. defaults.Categories.Take(defaults.Categories.Count - 1)] };
        Assert.True((await screening.SetSetupAsync(admin, setup)).Succeeded);
        Assert.True((await screening.AssignStagesAsync(admin, new ScreenerAssignment("screener", "審査担当", [1, 2]))).Succeeded);
        Assert.True((await screening.AssignStagesAsync(admin, new ScreenerAssignment("screener", "審査担当", [2]))).Succeeded);

        var entries = (await Log.ListAsync(roundId, 0, 50)).Entries;
        Assert.Equal(["screening.assign", "screening.assign", "screening.setup", "round.created"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(admin.Sub, e.ActorSub));
        Assert.Equal(("stages 1, 2", "stages 2"), (entries[0].Before, entries[0].After));
        var removed = defaults.Categories[^1].Id;
        Assert.Contains(removed, entries[2].Before);
        Assert.DoesNotContain(removed, entries[2].After);
        Assert.StartsWith("categories ", entries[2].After);
    }
}
