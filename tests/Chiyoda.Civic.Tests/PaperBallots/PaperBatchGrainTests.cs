using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Register;
using Chiyoda.Civic.Tests.Ballots;
using static Chiyoda.Civic.Tests.PaperBallots.PaperBatches;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>Batches end to end on grains: every outcome, paper against online, double keying, reconciliation, serials across batches.</summary>
[Collection(PaperClusterCollection.Name)]
public sealed class PaperBatchGrainTests(PaperClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private DateOnly Today => WardClock.Today(fixture.Clock);

    private string Day => Today.ToString("yyyy-MM-dd");

    private async Task<string> RoundAsync(params string[] adults)
    {
        var roundId = await VotingRounds.OpenAsync(Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(Grains, roundId, [.. adults.Select(a => VotingRounds.Adult(a, Today))]);
        await ListFacilityAsync(Grains, roundId);
        return roundId;
    }

    private IBallotGrain Ballot(string roundId, string voterKey) => Grains.GetGrain<IBallotGrain>($"{roundId}:{voterKey}");

    [Fact]
    public async Task Every_line_gets_the_outcome_the_rules_give_and_the_tally_equals_the_stored_ballots()
    {
        var roundId = await RoundAsync("v-acc", "v-online", "v-dup", "v-out", "v-blank", "v-many", "v-unknown", "v-twice", "v-unread", "v-mark", "v-other", "v-date", "v-nodate");
        await VotingRounds.RegisterAsync(Grains, roundId, new RegisterEntry("v-young", "ワカイ", Today.AddDays(5).AddYears(-18), "102-8688"));
        await Ballot(roundId, "v-online").CastOnlineAsync(new OnlineBallot("k1", [6]));
        await Ballot(roundId, "v-blank").CastOnlineAsync(new OnlineBallot("k2", [7]));
        var before = Today.AddDays(-10).ToString("yyyy-MM-dd");
        PaperLine[] lines =
        [
            Line(2, "S001", Day, "v-acc", "1;2"),
            Line(3, "S002", Day, "v-online", "3"),
            Line(4, "S003", Day, "v-dup", "4"),
            Line(5, "S004", Day, "v-dup", "5"),
            Line(6, "S005", Day, "nobody", "1"),
            Line(7, "S006", Day, "v-young", "1"),
            Line(8, "S007", before, "v-out", "1"),
            Line(9, "S008", Day, "v-blank", ""),
            Line(10, "S009", Day, "v-many", "1;2;3;4"),
            Line(11, "S010", Day, "v-unknown", "9"),
            Line(12, "S011", Day, "v-twice", "2;2"),
            Line(13, "S012", Day, "v-unread", "1;x"),
            Line(14, "S013", Day, "v-mark", "", unreadable: true),
            Line(15, "S001", Day, "v-other", "1"),
            Line(16, "S015", "2024-13-01", "v-date", "1"),
            Line(17, "", Day, "v-nodate", "1"),
            Line(18, "S017", Day, "a:b", "1"),
        ];
        var batch = await OpenAsync(Grains, roundId, "b-all", lines.Length, Today);
        await DoubleKeyAsync(batch, lines);

        var refused = await batch.CommitAsync("clerk-a", "事務 A", null);
        var committed = await CommitAsync(batch, "3 lines malformed; checked against the box by the supervisor");

        Assert.Equal(PaperErrorCodes.ReconciliationMismatch, refused.Code);
        var outcomes = await OutcomesBySerialAndLineAsync(batch);
        void Expect(string serial, int line, string outcome, string? reason)
        {
            var report = outcomes[$"{serial}@{line}"];
            Assert.True((outcome, reason) == (report.Outcome, report.Reason), $"{serial}@{line}: expected {outcome}/{reason}, got {report.Outcome}/{report.Reason}");
        }

        Expect("S001", 2, PaperLineStatuses.Accepted, null);
        Expect("S002", 3, PaperLineStatuses.AcceptedSupersedingOnline, null);
        Expect("S003", 4, PaperLineStatuses.Accepted, null);
        Expect("S004", 5, PaperLineStatuses.Duplicate, PaperReasons.DuplicateOfPrefix + "S003");
        Expect("S005", 6, PaperLineStatuses.Ineligible, BallotErrorCodes.NotOnRegister);
        Expect("S006", 7, PaperLineStatuses.Ineligible, BallotErrorCodes.UnderAge);
        Expect("S007", 8, PaperLineStatuses.Ineligible, BallotErrorCodes.CastDateOutsideWindow);
        Expect("S008", 9, PaperLineStatuses.Invalid, BallotErrorCodes.NoChoice);
        Expect("S009", 10, PaperLineStatuses.Invalid, BallotErrorCodes.TooManyChoices);
        Expect("S010", 11, PaperLineStatuses.Invalid, BallotErrorCodes.UnknownProposal);
        Expect("S011", 12, PaperLineStatuses.Invalid, BallotErrorCodes.DuplicateChoice);
        Expect("S012", 13, PaperLineStatuses.Invalid, PaperReasons.Unreadable);
        Expect("S013", 14, PaperLineStatuses.Invalid, PaperReasons.Unreadable);
        Expect("S001", 15, PaperLineStatuses.Reentered, PaperReasons.RepeatedSerial);
        Expect("S015", 16, PaperLineStatuses.Malformed, PaperReasons.BadCastDate);
        Expect("", 17, PaperLineStatuses.Malformed, PaperReasons.MissingSerial);
        Expect("S017", 18, PaperLineStatuses.Malformed, PaperReasons.BadVoterKey);

        var r = committed.Summary.Reconciliation;
        Assert.Equal((17, 17, 2, 1, 1, 3, 6, 3, 0, 1),
            (r.BallotsInBox, r.Keyed, r.Accepted, r.AcceptedSupersedingOnline, r.Duplicate, r.Ineligible, r.Invalid, r.Malformed, r.Pending, r.Reentered));
        var totals = await LiveTotalsAsync(Grains, roundId);
        Assert.Equal((1, 3), (totals.OnlineVoters, totals.PaperVoters));
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 1, [3] = 1, [4] = 1, [7] = 1 }, totals.VotesByBallotNumber);
        Assert.Equal(BallotErrorCodes.SupersededByPaper, (await Ballot(roundId, "v-online").CastOnlineAsync(new OnlineBallot("k3", [1]))).Code);
        var forced = await AuditAsync(Grains, roundId, "paper.batch-commit-forced");
        Assert.Contains(forced.Entries, e => e.After!.Contains("supervisor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Paper_first_then_online_the_online_ballot_is_refused_and_paper_counts_once()
    {
        var roundId = await RoundAsync("v1");
        var batch = await OpenAsync(Grains, roundId, "b-1", 1, Today);
        await DoubleKeyAsync(batch, [Line(2, "P-1", Day, "v1", "2")]);
        await CommitAsync(batch);

        var online = await Ballot(roundId, "v1").CastOnlineAsync(new OnlineBallot("k1", [5]));

        Assert.Equal(BallotErrorCodes.SupersededByPaper, online.Code);
        Assert.Equal(PaperLineStatuses.Accepted, (await batch.GetLinesAsync(0, 10)).Lines.Single().Outcome);
        var totals = await LiveTotalsAsync(Grains, roundId);
        Assert.Equal((0, 1), (totals.OnlineVoters, totals.PaperVoters));
        Assert.Equal(new Dictionary<int, int> { [2] = 1 }, totals.VotesByBallotNumber);
    }

    [Fact]
    public async Task Online_and_paper_at_the_same_moment_end_with_only_the_paper_ballot_counted()
    {
        var voters = Enumerable.Range(1, 40).Select(n => $"v{n}").ToArray();
        var roundId = await RoundAsync(voters);
        var batch = await OpenAsync(Grains, roundId, "b-race", voters.Length, Today);
        await DoubleKeyAsync(batch, [.. voters.Select((v, i) => Line(i + 2, $"R-{i}", Day, v, "1"))]);

        var commit = CommitAsync(batch);
        var online = voters.Select(v => Ballot(roundId, v).CastOnlineAsync(new OnlineBallot("k-" + v, [4]))).ToList();
        await Task.WhenAll([commit, .. online]);

        var outcomes = (await batch.GetLinesAsync(0, 100)).Lines;
        Assert.All(outcomes, l => Assert.Contains(l.Outcome, new[] { PaperLineStatuses.Accepted, PaperLineStatuses.AcceptedSupersedingOnline }));
        var totals = await LiveTotalsAsync(Grains, roundId);
        Assert.Equal((0, voters.Length), (totals.OnlineVoters, totals.PaperVoters));
        Assert.Equal(new Dictionary<int, int> { [1] = voters.Length }, totals.VotesByBallotNumber);
    }

    [Fact]
    public async Task Keyings_that_disagree_are_shown_side_by_side_and_resolved_by_an_administrator_in_the_audit_log()
    {
        var roundId = await RoundAsync("v1", "v2", "v3", "v4");
        var batch = await OpenAsync(Grains, roundId, "b-dis", 4, Today);
        PaperLine[] first = [Line(2, "D-1", Day, "v1", "1"), Line(3, "D-2", Day, "v2", "2"), Line(4, "D-3", Day, "v3", "3")];
        PaperLine[] second = [Line(2, "D-1", Day, "v1", "1"), Line(3, "D-2", Day, "v2", "7"), Line(4, "D-4", Day, "v4", "4")];

        await batch.AddKeyingAsync(new PaperKeying("clerk-a", "事務 A", PaperKeyingSources.Typed, first));
        var again = await batch.AddKeyingAsync(new PaperKeying("clerk-a", "事務 A", PaperKeyingSources.Typed, first));
        var keyed = await batch.AddKeyingAsync(new PaperKeying("clerk-b", "事務 B", PaperKeyingSources.File, second));
        var third = await batch.AddKeyingAsync(new PaperKeying("clerk-c", "事務 C", PaperKeyingSources.File, second));
        var early = await batch.CommitAsync("admin", "管理者", null);

        Assert.Equal(PaperBatchStatuses.KeyedOnce, again.Value!.Summary.Status);
        Assert.Equal(PaperBatchStatuses.Disagreement, keyed.Value!.Summary.Status);
        Assert.Equal(PaperErrorCodes.KeyingsComplete, third.Code);
        Assert.Equal(PaperErrorCodes.KeyingsDisagree, early.Code);
        var shown = keyed.Value.Disagreements.ToDictionary(d => d.Key);
        Assert.Equal(["D-2", "D-3", "D-4"], shown.Keys.Order());
        Assert.Equal(("2", "7"), (shown["D-2"].First!.Choices, shown["D-2"].Second!.Choices));
        Assert.Null(shown["D-3"].Second);
        Assert.Null(shown["D-4"].First);

        var now = fixture.Clock.GetUtcNow();
        await batch.ResolveAsync(new PaperResolution("D-2", PaperResolutionChoices.Second, null, "admin", "管理者", now));
        await batch.ResolveAsync(new PaperResolution("D-3", PaperResolutionChoices.First, null, "admin", "管理者", now));
        var resolved = await batch.ResolveAsync(new PaperResolution("D-4", PaperResolutionChoices.Rekey, Line(4, "D-4", Day, "v4", "5;6"), "admin", "管理者", now));
        var unknown = await batch.ResolveAsync(new PaperResolution("D-9", PaperResolutionChoices.First, null, "admin", "管理者", now));

        Assert.Equal(PaperBatchStatuses.Agreed, resolved.Value!.Summary.Status);
        Assert.Equal(PaperErrorCodes.NoSuchDisagreement, unknown.Code);
        await CommitAsync(batch);
        var totals = await LiveTotalsAsync(Grains, roundId);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [7] = 1, [3] = 1, [5] = 1, [6] = 1 }, totals.VotesByBallotNumber);
        var audit = await AuditAsync(Grains, roundId, "paper.disagreement-resolved");
        Assert.Equal(3, audit.Entries.Count(e => e.Subject == "paper-batch:b-dis"));
        Assert.Contains(audit.Entries, e => e.Before!.StartsWith("D-2", StringComparison.Ordinal) && e.After!.StartsWith("second", StringComparison.Ordinal) && e.ActorSub == "admin");

        // Secrecy: the log names serials and the fields in dispute, never a voter key or the marks; once committed, the
        // batch keeps no marks beside voter keys (keyings, commit lines, disagreements, resolutions).
        Assert.Contains(audit.Entries, e => e.Before == "D-2: differs in choices" && e.After == "second");
        Assert.Contains(audit.Entries, e => e.Before == "D-4: differs in line" && e.After == "rekey");
        Assert.All(audit.Entries, e => Assert.DoesNotMatch(@"\bv[1-4]\b|5;6", $"{e.Before}|{e.After}"));
        var view = (await batch.GetAsync())!;
        foreach (var part in view.Keyings.SelectMany(k => Enumerable.Range(0, k.Chunks).Select(i => PaperChunking.KeyingPart(k.Generation) + ":" + i)).Append(PaperChunking.CommitPart + ":0"))
        {
            var chunk = await Grains.GetGrain<IPaperChunkGrain>($"{roundId}:b-dis:{part}").ReadAsync();
            Assert.NotEmpty(chunk.Lines);
            Assert.All(chunk.Lines, l => Assert.Equal("", l.Choices));
        }

        Assert.All(view.Disagreements, d => Assert.True((d.First?.VoterKey ?? "") == "" && (d.First?.Choices ?? "") == "" && (d.Second?.VoterKey ?? "") == "" && (d.Second?.Choices ?? "") == ""));
        Assert.All(view.Resolutions, r => Assert.Equal("", r.Line?.Choices ?? ""));
    }

    [Fact]
    public async Task A_serial_counts_once_even_in_two_batches_and_when_two_batches_with_it_commit_at_once()
    {
        var roundId = await RoundAsync("v1", "v2", "v3", "v4");
        var a = await OpenAsync(Grains, roundId, "b-a", 1, Today);
        await DoubleKeyAsync(a, [Line(2, "X-100", Day, "v1", "1")]);
        await CommitAsync(a);
        var b = await OpenAsync(Grains, roundId, "b-b", 2, Today);
        await DoubleKeyAsync(b, [Line(2, "X-100", Day, "v1", "1"), Line(3, "X-101", Day, "v2", "2")]);
        await CommitAsync(b);

        var again = await OutcomesBySerialAndLineAsync(b);
        Assert.Equal((PaperLineStatuses.Reentered, PaperReasons.SerialAlreadyRecorded), (again["X-100@2"].Outcome, again["X-100@2"].Reason));
        Assert.Equal(PaperLineStatuses.Accepted, again["X-101@3"].Outcome);

        var c = await OpenAsync(Grains, roundId, "b-c", 1, Today);
        var d = await OpenAsync(Grains, roundId, "b-d", 1, Today);
        await DoubleKeyAsync(c, [Line(2, "X-200", Day, "v3", "3")]);
        await DoubleKeyAsync(d, [Line(2, "X-200", Day, "v4", "4")]);
        await Task.WhenAll(CommitAsync(c), CommitAsync(d));

        var raced = (await c.GetLinesAsync(0, 10)).Lines.Concat((await d.GetLinesAsync(0, 10)).Lines).Select(l => l.Outcome).Order().ToList();
        Assert.Equal([PaperLineStatuses.Accepted, PaperLineStatuses.Reentered], raced);
        var totals = await LiveTotalsAsync(Grains, roundId);
        Assert.Equal(3, totals.PaperVoters);
        Assert.Equal(3, totals.Votes);
    }

    [Fact]
    public async Task A_batch_that_does_not_add_up_is_committed_only_with_a_reason_and_a_committed_batch_no_longer_changes()
    {
        var roundId = await RoundAsync("v1", "v2");
        var batch = await OpenAsync(Grains, roundId, "b-short", 3, Today);
        PaperLine[] lines = [Line(2, "M-1", Day, "v1", "1"), Line(3, "M-2", Day, "v2", "2")];
        await DoubleKeyAsync(batch, lines);

        var refused = await batch.CommitAsync("admin", "管理者", "  ");
        var view = await CommitAsync(batch, "one ballot was found torn and kept aside");
        var rekey = await batch.AddKeyingAsync(new PaperKeying("clerk-a", "事務 A", PaperKeyingSources.Typed, lines));
        var recommit = await batch.CommitAsync("admin", "管理者", null);

        Assert.Equal(PaperErrorCodes.ReconciliationMismatch, refused.Code);
        Assert.Equal("one ballot was found torn and kept aside", view.Commit!.ForcedReason);
        Assert.False(view.Summary.Reconciliation.AddsUp);
        Assert.Equal(PaperErrorCodes.BatchCommitted, rekey.Code);
        Assert.True(recommit.Succeeded);
        var listed = await Grains.GetGrain<IPaperRoundGrain>(roundId).ListBatchesAsync();
        Assert.Equal(PaperBatchStatuses.Committed, listed.Single(b => b.BatchId == "b-short").Status);
        Assert.Equal(2, (await LiveTotalsAsync(Grains, roundId)).PaperVoters);
    }

    [Fact]
    public async Task A_batch_needs_a_listed_facility_and_an_identical_reopening_is_not_an_error()
    {
        var roundId = await RoundAsync();
        var batch = Batch(Grains, roundId, "b-open");

        var unknown = await batch.OpenAsync(new PaperBatchOpening("F99", Today, 10, "clerk-a", "事務 A"));
        var opened = await batch.OpenAsync(new PaperBatchOpening(Facility, Today, 10, "clerk-a", "事務 A"));
        var repeated = await batch.OpenAsync(new PaperBatchOpening(Facility, Today, 10, "clerk-b", "事務 B"));
        var different = await batch.OpenAsync(new PaperBatchOpening(Facility, Today, 11, "clerk-a", "事務 A"));

        Assert.Equal(PaperErrorCodes.FacilityNotFound, unknown.Code);
        Assert.True(opened.Succeeded);
        Assert.True(repeated.Succeeded);
        Assert.Equal(PaperErrorCodes.BatchExists, different.Code);
    }
}
