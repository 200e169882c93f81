using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.Notifications;
using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;
using Chiyoda.Civic.Tests.Infrastructure;
using Chiyoda.Civic.Tests.Rounds;
using static Chiyoda.Civic.Tests.Proposals.ProposalSamples;

namespace Chiyoda.Civic.Tests.Proposals;

[Collection(ClusterCollection.Name)]
public sealed class ProposalGrainTests(ClusterFixture fixture)
{
    private IProposalGrain Proposal(string roundId, string proposalId) => fixture.Grains.GetGrain<IProposalGrain>($"{roundId}:{proposalId}");

    private async Task<(string RoundId, RoundDefinition Round)> NewRoundAsync(int maxPerProposer = 3)
    {
        var roundId = RoundSamples.NewRoundId();
        var round = CallOpen(fixture.Clock.GetUtcNow(), maxPerProposer);
        Assert.True((await fixture.Grains.GetGrain<IRoundGrain>(roundId).CreateAsync(round)).Succeeded);
        return (roundId, round);
    }

    private Task MoveRoundAsync(string roundId, RoundDefinition definition) =>
        fixture.Grains.GetGrain<IRoundGrain>(roundId).UpdateAsync(definition);

    [Fact]
    public async Task The_public_list_puts_the_ballot_first_then_titles_in_kana_order_and_finds_full_and_half_width_words()
    {
        var index = fixture.Grains.GetGrain<IProposalIndexGrain>(RoundSamples.NewRoundId());
        var at = fixture.Clock.GetUtcNow();
        ProposalSummary Entry(string id, string title, ProposalStatus status, int? ballot = null) =>
            new(id, "sub-" + id, title, "administration", status, 3, true, null, ballot, [], at, 1);
        await index.UpsertAsync(Entry("p-kantan", "かんたん手続き", ProposalStatus.Declined));
        await index.UpsertAsync(Entry("p-icho", "いちょう並木の案内", ProposalStatus.InReview));
        await index.UpsertAsync(Entry("p-anketo", "アンケート集計", ProposalStatus.Withdrawn));
        await index.UpsertAsync(Entry("p-app", "ｱﾌﾟﾘで申請", ProposalStatus.Shortlisted, ballot: 2));
        await index.UpsertAsync(Entry("p-ai", "ＡＩ相談窓口", ProposalStatus.Shortlisted, ballot: 1));

        var page = await index.QueryAsync(new ProposalQuery(true, Sort: ProposalSort.Title, Descending: false, Take: 50));
        // Ordinal order would put hiragana (い, か) before katakana (ア).
        Assert.Equal(["p-ai", "p-app", "p-anketo", "p-icho", "p-kantan"], page.Items.Select(p => p.ProposalId));

        async Task<IEnumerable<string>> FindAsync(string words) =>
            (await index.QueryAsync(new ProposalQuery(true, Search: words, Sort: ProposalSort.Title, Descending: false))).Items.Select(p => p.ProposalId);
        Assert.Equal(["p-ai"], await FindAsync("ai"));
        Assert.Equal(["p-ai"], await FindAsync("ＡＩ"));
        Assert.Equal(["p-app"], await FindAsync("アプリ"));
        Assert.Equal(["p-app"], await FindAsync("ｱﾌﾟﾘ"));
    }

    [Fact]
    public async Task A_proposal_goes_from_draft_through_three_stages_to_the_ballot_and_its_proposer_is_told_each_step()
    {
        var (roundId, round) = await NewRoundAsync();
        var proposer = Resident("p-journey-" + Guid.NewGuid().ToString("N")[..6]);
        var proposal = Proposal(roundId, "p-1");

        var draft = await proposal.CreateAsync(proposer, Content());
        Assert.Equal(ProposalStatus.Draft, draft.Value!.Status);
        Assert.Equal(ProposalStatus.Submitted, (await proposal.SubmitAsync(proposer)).Value!.Status);
        await MoveRoundAsync(roundId, InScreening(round, fixture.Clock.GetUtcNow()));

        var intake = await proposal.DecideAsync(Admin, 1, "d-1", DecisionKind.Advance, null);
        Assert.Equal((ProposalStatus.InReview, 2), (intake.Value!.Status, intake.Value.Stage));
        Assert.True(intake.Value.IsPublic);

        var scored = await proposal.ScoreAsync(Admin, 2, Scores());
        Assert.True(scored.Succeeded);
        // (3×5 + 2×4 + 2×3 + 1×2) / 8 = 3.875
        Assert.Equal(3.88m, (await proposal.GetReviewAsync())!.WeightedScore);
        await proposal.DecideAsync(Admin, 2, "d-2", DecisionKind.Advance, null);
        var selected = await proposal.DecideAsync(Admin, 3, "d-3", DecisionKind.Advance, null);
        Assert.Equal(ProposalStatus.Selected, selected.Value!.Status);

        var published = await fixture.Grains.GetGrain<IScreeningGrain>(roundId).PublishShortlistAsync(Admin, ["p-1"]);
        Assert.True(published.Succeeded, published.Code);
        var shortlisted = (await proposal.GetAsync())!;
        Assert.Equal((ProposalStatus.Shortlisted, 1), (shortlisted.Status, shortlisted.BallotNumber));
        Assert.Equal("p-1", (await fixture.Grains.GetGrain<IRoundGrain>(roundId).GetShortlistAsync())!.ByBallotNumber(1)!.ProposalId);

        var notices = await fixture.Grains.GetGrain<INotificationInboxGrain>(proposer.Sub).ListAsync(50);
        Assert.Equal(
            ["proposal:" + roundId + ":p-1:2", "proposal:" + roundId + ":p-1:3", "proposal:" + roundId + ":p-1:4", "proposal:" + roundId + ":p-1:5", "proposal:" + roundId + ":p-1:6"],
            notices.Select(n => n.NoticeId).Order(StringComparer.Ordinal));
        Assert.Contains(notices, n => n.BodyEn.Contains("ballot as number 1", StringComparison.Ordinal));

        // Retrying the shortlist and a decision has no second effect.
        var auditBefore = await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 500);
        Assert.True((await fixture.Grains.GetGrain<IScreeningGrain>(roundId).PublishShortlistAsync(Admin, ["p-1"])).Succeeded);
        Assert.True((await proposal.DecideAsync(Admin, 3, "d-3", DecisionKind.Advance, null)).Succeeded);
        var auditAfter = await new GrainAuditLog(fixture.Grains).ListAsync(roundId, 0, 500);
        Assert.Equal(auditBefore.Total, auditAfter.Total);
        Assert.Equal(6, (await proposal.GetAsync())!.History.Count);
        Assert.Equal(5, (await fixture.Grains.GetGrain<INotificationInboxGrain>(proposer.Sub).ListAsync(50)).Count);
        Assert.Equal(
            ["proposal.ballot-number", "proposal.decide.advance", "proposal.decide.advance", "proposal.decide.advance", "proposal.score", "round.created", "round.updated", "shortlist.publish"],
            auditAfter.Entries.Select(e => e.Action).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nothing_is_created_edited_or_submitted_outside_the_call()
    {
        var (roundId, round) = await NewRoundAsync();
        var proposer = Resident("p-window");
        var submitted = Proposal(roundId, "p-sub");
        var draft = Proposal(roundId, "p-draft");
        await submitted.CreateAsync(proposer, Content());
        await submitted.SubmitAsync(proposer);
        await draft.CreateAsync(proposer, Content("下書き"));
        await MoveRoundAsync(roundId, InScreening(round, fixture.Clock.GetUtcNow()));

        Assert.Equal(ProposalErrorCodes.CallClosed, (await Proposal(roundId, "p-late").CreateAsync(proposer, Content())).Code);
        Assert.Equal(ProposalErrorCodes.CallClosed, (await submitted.UpdateAsync(proposer, Content("変更"))).Code);
        Assert.Equal(ProposalErrorCodes.CallClosed, (await draft.SubmitAsync(proposer)).Code);
        Assert.Null(await Proposal(roundId, "p-late").GetAsync());
        Assert.Equal(Content().Title, (await submitted.GetAsync())!.Content.Title);
        Assert.Equal(ProposalStatus.Draft, (await draft.GetAsync())!.Status);
    }

    [Fact]
    public async Task The_limit_per_proposer_counts_withdrawn_proposals_too()
    {
        var (roundId, _) = await NewRoundAsync(maxPerProposer: 2);
        var proposer = Resident("p-limit");
        await Proposal(roundId, "a").CreateAsync(proposer, Content("一"));
        await Proposal(roundId, "b").CreateAsync(proposer, Content("二"));

        Assert.Equal(ProposalErrorCodes.ProposalLimit, (await Proposal(roundId, "c").CreateAsync(proposer, Content("三"))).Code);
        Assert.Null(await Proposal(roundId, "c").GetAsync());
        Assert.True((await Proposal(roundId, "x").CreateAsync(Resident("someone-else"), Content("他人"))).Succeeded);

        // Withdrawing frees no place: create-and-withdraw in a loop cannot fill the round.
        Assert.True((await Proposal(roundId, "a").WithdrawAsync(proposer, "考え直しました")).Succeeded);
        Assert.Equal(ProposalErrorCodes.ProposalLimit, (await Proposal(roundId, "c").CreateAsync(proposer, Content("三"))).Code);
        Assert.Null(await Proposal(roundId, "c").GetAsync());
        Assert.True((await Proposal(roundId, "y").CreateAsync(Resident("someone-else"), Content("他人二"))).Succeeded);
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_nothing_is_stored()
    {
        var (roundId, _) = await NewRoundAsync();
        var proposer = Resident("p-bad");
        var proposal = Proposal(roundId, "p-bad");

        var empty = await proposal.CreateAsync(proposer, Content("") with { Summary = new string('あ', 401), Category = "no-such" });
        Assert.Equal(ProposalErrorCodes.InvalidProposal, empty.Code);
        Assert.Contains(empty.Errors, e => (e.Field, e.Code) == ("title", "required"));
        Assert.Contains(empty.Errors, e => (e.Field, e.Code) == ("summary", "too-long"));
        Assert.Contains(empty.Errors, e => (e.Field, e.Code) == ("category", "unknown-category"));
        Assert.Null(await proposal.GetAsync());

        // A draft may be incomplete; submitting it says what is missing.
        await proposal.CreateAsync(proposer, Content() with { Problem = "", Relation = ProposerRelation.Organisation });
        var incomplete = await proposal.SubmitAsync(proposer);
        Assert.Equal(ProposalErrorCodes.InvalidProposal, incomplete.Code);
        Assert.Equal(["organisationName", "problem"], incomplete.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Equal(ProposalStatus.Draft, (await proposal.GetAsync())!.Status);

        // Script is stored as text, exactly as written: the pages and the API only ever encode it.
        var script = "<script>alert('x')</script>";
        var updated = await proposal.UpdateAsync(proposer, Content(script));
        Assert.Equal(script, updated.Value!.Content.Title);
        Assert.Equal(ProposalErrorCodes.ProposalNotFound, (await proposal.UpdateAsync(Resident("intruder"), Content("乗っ取り"))).Code);
    }

    [Fact]
    public async Task Screeners_act_only_at_their_stage_and_staff_rules_hold()
    {
        var (roundId, round) = await NewRoundAsync();
        var proposer = Resident("p-staff");
        var screener = new Actor("screener-" + Guid.NewGuid().ToString("N")[..6], "審査担当A", IsScreener: true);
        var proposal = Proposal(roundId, "p-staff");
        await proposal.CreateAsync(proposer, Content());
        await proposal.SubmitAsync(proposer);
        await MoveRoundAsync(roundId, InScreening(round, fixture.Clock.GetUtcNow()));
        var screening = fixture.Grains.GetGrain<IScreeningGrain>(roundId);

        Assert.Equal(ProposalErrorCodes.NotAssigned, (await proposal.DecideAsync(screener, 1, "x1", DecisionKind.Advance, null)).Code);
        Assert.Equal(ProposalErrorCodes.NotStaff, (await proposal.DecideAsync(proposer, 1, "x2", DecisionKind.Advance, null)).Code);
        Assert.Equal(ProposalErrorCodes.NotStaff, (await screening.AssignStagesAsync(screener, new(screener.Sub, screener.Name, [1]))).Code);

        Assert.True((await screening.AssignStagesAsync(Admin, new(screener.Sub, screener.Name, [2]))).Succeeded);
        Assert.Equal(ProposalErrorCodes.NotAssigned, (await proposal.DecideAsync(screener, 1, "x3", DecisionKind.Advance, null)).Code);
        Assert.Equal(ProposalErrorCodes.StageMismatch, (await proposal.DecideAsync(screener, 2, "x4", DecisionKind.Advance, null)).Code);
        Assert.Equal(ProposalStatus.Submitted, (await proposal.GetAsync())!.Status);

        // Assigned to the proposal itself, the screener may act at its stage.
        await proposal.AssignAsync(Admin, [screener.Sub]);
        Assert.True((await proposal.DecideAsync(screener, 1, "x5", DecisionKind.Advance, null)).Succeeded);
        Assert.Equal(ProposalErrorCodes.ScoresRequired, (await proposal.DecideAsync(screener, 2, "x6", DecisionKind.Advance, null)).Code);
        var badScores = await proposal.ScoreAsync(screener, 2, new Dictionary<string, int> { ["benefit"] = 6, ["nonsense"] = 1 });
        Assert.Equal(ProposalErrorCodes.InvalidScores, badScores.Code);
        Assert.Contains(badScores.Errors, e => e.Field == "scores.benefit" && e.Code == "out-of-range");
        Assert.Contains(badScores.Errors, e => e.Field == "scores.feasibility" && e.Code == "required");
        Assert.Contains(badScores.Errors, e => e.Field == "scores.nonsense");
        Assert.Equal(ProposalErrorCodes.MessageRequired, (await proposal.DecideAsync(screener, 2, "x7", DecisionKind.Return, " ")).Code);

        Assert.True((await proposal.AddNoteAsync(screener, 2, "n1", "所管課に確認中（非公開）")).Succeeded);
        Assert.True((await proposal.AddNoteAsync(screener, 2, "n1", "所管課に確認中（非公開）")).Succeeded);
        Assert.Single((await proposal.GetReviewAsync())!.Notes);

        // Returned, edited and resubmitted: back at the same stage.
        var returned = await proposal.DecideAsync(screener, 2, "x8", DecisionKind.Return, "費用の見積もりを追記してください");
        Assert.Equal(ProposalStatus.Returned, returned.Value!.Status);
        Assert.True((await proposal.UpdateAsync(proposer, Content() with { ExpectedEffect = "費用は年間50万円程度。" })).Succeeded);
        var resubmitted = await proposal.SubmitAsync(proposer);
        Assert.Equal((ProposalStatus.InReview, 2), (resubmitted.Value!.Status, resubmitted.Value.Stage));

        // Withdrawn: no decision may follow.
        Assert.True((await proposal.WithdrawAsync(proposer, "別の提案に統合します")).Succeeded);
        Assert.Equal(ProposalErrorCodes.ProposalWithdrawn, (await proposal.DecideAsync(Admin, 2, "x9", DecisionKind.Decline, "理由")).Code);
        Assert.Equal(ProposalErrorCodes.ProposalWithdrawn, (await proposal.ScoreAsync(Admin, 2, Scores())).Code);

        var view = (await proposal.GetAsync())!.ForPublic();
        Assert.DoesNotContain("所管課に確認中", System.Text.Json.JsonSerializer.Serialize(view), StringComparison.Ordinal);
        Assert.DoesNotContain("別の提案に統合します", System.Text.Json.JsonSerializer.Serialize(view), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declined_at_intake_is_never_public_and_declined_later_shows_its_public_reason()
    {
        var (roundId, round) = await NewRoundAsync();
        var proposer = Resident("p-decline");
        await Proposal(roundId, "early").CreateAsync(proposer, Content("受付で不採用"));
        await Proposal(roundId, "early").SubmitAsync(proposer);
        await Proposal(roundId, "late").CreateAsync(proposer, Content("審査で不採用"));
        await Proposal(roundId, "late").SubmitAsync(proposer);
        await MoveRoundAsync(roundId, InScreening(round, fixture.Clock.GetUtcNow()));

        await Proposal(roundId, "early").DecideAsync(Admin, 1, "d", DecisionKind.Decline, "区内在住・在勤・在学の要件を満たしません");
        await Proposal(roundId, "late").DecideAsync(Admin, 1, "d1", DecisionKind.Advance, null);
        await Proposal(roundId, "late").DecideAsync(Admin, 2, "d2", DecisionKind.Decline, "既存事業と重複します");

        var index = fixture.Grains.GetGrain<IProposalIndexGrain>(roundId);
        var publicList = await index.QueryAsync(new ProposalQuery(PublicOnly: true));
        Assert.Equal(["late"], publicList.Items.Select(p => p.ProposalId));
        Assert.Equal(ProposalStatus.Declined, publicList.Items[0].Status);
        Assert.Equal("既存事業と重複します", (await Proposal(roundId, "late").GetAsync())!.ForPublic().PublicReason);
        Assert.Equal(2, (await index.QueryAsync(new ProposalQuery(false, AuthorSub: proposer.Sub))).Total);
    }

    [Fact]
    public async Task The_shortlist_takes_only_selected_proposals_and_is_frozen_once_voting_opens()
    {
        var (roundId, round) = await NewRoundAsync();
        var proposer = Resident("p-short");
        foreach (var id in new[] { "s1", "s2", "s3" })
        {
            await Proposal(roundId, id).CreateAsync(proposer, Content("候補 " + id));
            await Proposal(roundId, id).SubmitAsync(proposer);
        }

        var now = fixture.Clock.GetUtcNow();
        await MoveRoundAsync(roundId, InScreening(round, now));
        foreach (var id in new[] { "s1", "s2" })
        {
            await Proposal(roundId, id).DecideAsync(Admin, 1, "a", DecisionKind.Advance, null);
            await Proposal(roundId, id).ScoreAsync(Admin, 2, Scores());
            await Proposal(roundId, id).DecideAsync(Admin, 2, "b", DecisionKind.Advance, null);
            await Proposal(roundId, id).DecideAsync(Admin, 3, "c", DecisionKind.Advance, null);
        }

        var screening = fixture.Grains.GetGrain<IScreeningGrain>(roundId);
        var refused = await screening.PublishShortlistAsync(Admin, ["s1", "s3"]);
        Assert.Equal(ScreeningErrorCodes.NotSelected, refused.Code);
        Assert.Null(await fixture.Grains.GetGrain<IRoundGrain>(roundId).GetShortlistAsync());
        Assert.Equal(ProposalErrorCodes.NotStaff, (await screening.PublishShortlistAsync(Screener, ["s1"])).Code);

        Assert.True((await screening.PublishShortlistAsync(Admin, ["s1", "s2"])).Succeeded);
        // Staff change the order before voting: numbers follow.
        Assert.True((await screening.PublishShortlistAsync(Admin, ["s2", "s1"])).Succeeded);
        Assert.Equal(1, (await Proposal(roundId, "s2").GetAsync())!.BallotNumber);
        Assert.Equal(2, (await Proposal(roundId, "s1").GetAsync())!.BallotNumber);
        Assert.Equal(ProposalErrorCodes.ProposalFrozen, (await Proposal(roundId, "s1").WithdrawAsync(proposer, "やめます")).Code);

        await MoveRoundAsync(roundId, InVoting(round, now));
        Assert.Equal(RoundErrorCodes.ShortlistLocked, (await screening.PublishShortlistAsync(Admin, ["s1"])).Code);
        Assert.Equal(2, (await Proposal(roundId, "s1").GetAsync())!.BallotNumber);
    }
}
